/**
 * Node's Buffer has had un-typed fast paths for decades (`latin1Slice`, `utf8Write`, ...) that skip the
 * argument normalisation of `toString`/`write`. They are what Node's own `toString('latin1', s, e)` ends up
 * calling; typing them here lets the hot path call them directly.
 */
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    utf8Slice(start: number, end: number): string;
    latin1Write(str: string, offset: number, length?: number): number;
    utf8Write(str: string, offset: number, length?: number): number;
  }
}

export {};

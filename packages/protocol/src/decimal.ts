/**
 * Non-negative integers (up to 2^53) written as decimal ASCII straight into bytes: sizes in MSG lines,
 * sequences in PubAcks. A string of the digits first (String(n), then a copy) cost nearly twice as much.
 */

/** How many decimal digits `n` has. */
export function decimalDigits(n: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  return digits;
}

/**
 * Writes `n` in decimal at `out[at]`; returns the index just past it. `digits`: decimalDigits(n), when the
 * caller already counted them (to size the output).
 */
export function writeDecimal(out: Uint8Array, at: number, n: number, digits = n < 10 ? 1 : decimalDigits(n)): number {
  if (n < 10) {
    out[at] = 0x30 + n;
    return at + 1;
  }
  const end = at + digits;
  let p = end;
  let x = n;
  do {
    out[--p] = 0x30 + (x % 10);
    x = Math.floor(x / 10);
  } while (x > 0);
  return end;
}

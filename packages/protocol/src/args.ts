/**
 * Splitting a control line's arguments: fields separated by any run of spaces or tabs.
 * Field bounds go into a caller-owned Int32Array so that the hot path allocates nothing but
 * the strings it really needs.
 */

export const SPACE = 0x20;
export const TAB = 0x09;
export const CR = 0x0d;
export const LF = 0x0a;

/** Most fields any client op has (HPUB: subject reply hdr_size total_size). */
export const MAX_FIELDS = 4;

/**
 * Writes the [start, end) pairs of up to `max` fields of `buf[start, end)` into `bounds` and returns the
 * field count, or -1 when there are more than `max` fields.
 */
export function splitFields(buf: Uint8Array, start: number, end: number, bounds: Int32Array, max: number): number {
  let n = 0;
  let i = start;
  while (i < end) {
    let c = buf[i];
    if (c === SPACE || c === TAB) {
      i++;
      continue;
    }
    if (n === max) return -1;
    const fieldStart = i;
    while (i < end) {
      c = buf[i];
      if (c === SPACE || c === TAB) break;
      i++;
    }
    bounds[n * 2] = fieldStart;
    bounds[n * 2 + 1] = i;
    n++;
  }
  return n;
}

/** Parses a non-negative decimal integer from `buf[start, end)`; -1 when it is not one (or is absurdly long). */
export function parseSize(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > 15) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Decoded control-line fields, interned. Publishers reuse subjects, so decoding the same bytes to a new
 * string on every PUB (a native call plus garbage) is the parser's biggest cost. A direct-mapped table
 * keyed by a hash of the bytes returns the string decoded last time when the bytes match; a miss simply
 * replaces the slot. One table per thread (parsing is single-threaded), bounded and allocation-free.
 */
const INTERN_SLOTS = 4096;
const INTERN_MAX_LEN = 128;
const interned: string[] = new Array<string>(INTERN_SLOTS).fill("");

/**
 * Decodes `buf[start, end)` as a string. Control-line fields are nearly always ASCII: those go through
 * the intern table (latin1 decoding on a miss); anything with a high bit set is decoded as UTF-8
 * (subjects may be unicode).
 */
export function fieldString(buf: Buffer, start: number, end: number): string {
  const len = end - start;
  let h = len;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c >= 0x80) return buf.toString("utf8", start, end);
    h = Math.imul(h ^ c, 0x01000193);
  }
  if (len > INTERN_MAX_LEN) return buf.latin1Slice(start, end);
  const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
  const cached = interned[slot];
  if (cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === len) return cached;
  }
  const s = buf.latin1Slice(start, end);
  interned[slot] = s;
  return s;
}

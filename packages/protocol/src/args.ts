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
 * Decodes `buf[start, end)` as a string. Control-line fields are nearly always ASCII, where latin1
 * decoding is the cheapest; anything with a high bit set is decoded as UTF-8 (subjects may be unicode).
 */
export function fieldString(buf: Buffer, start: number, end: number): string {
  for (let i = start; i < end; i++) {
    if (buf[i] >= 0x80) return buf.toString("utf8", start, end);
  }
  return buf.latin1Slice(start, end);
}

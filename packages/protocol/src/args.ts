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
/** Hash seed shared by fieldString and scanLine, so both find the same intern slot. */
const FNV_OFFSET = 0x811c9dc5 | 0;
/**
 * Longer fields are decoded fresh: they are mostly unique (JetStream ack subjects), and interning them
 * only churns the table, each evicted string a piece of garbage that lived long enough to be promoted.
 */
const INTERN_MAX_LEN = 32;
const interned: string[] = new Array<string>(INTERN_SLOTS).fill("");

/**
 * Decodes `buf[start, end)` as a string. Control-line fields are nearly always ASCII: those go through
 * the intern table (latin1 decoding on a miss); anything with a high bit set is decoded as UTF-8
 * (subjects may be unicode).
 */
export function fieldString(buf: Buffer, start: number, end: number): string {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c >= 0x80) return buf.toString("utf8", start, end);
    h = Math.imul(h ^ c, 0x01000193);
  }
  return internAscii(buf, start, end, h);
}

/** The interned string of the ASCII bytes `buf[start, end)` whose hash (as fieldString computes it) is `h`. */
function internAscii(buf: Buffer, start: number, end: number, h: number): string {
  const len = end - start;
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

/**
 * A whole control line scanned in one pass: up to MAX_FIELDS fields with their bounds; the first field's
 * hash (the subject, interned under it) and the last two fields' values as decimal numbers (the sizes).
 * Filled by scanLine.
 */
export class ScannedLine {
  count = 0;
  readonly start = new Int32Array(MAX_FIELDS);
  readonly end = new Int32Array(MAX_FIELDS);
  /** The hash of field 0 (as fieldString computes it); the other fields are not hashed. */
  hash0 = 0;
  /**
   * Whether field 0 is a valid publish subject by nats-server's rules (non-empty tokens, no wildcard token,
   * no whitespace): checked on the way, so a publisher's subjects need no second pass (acks are unique).
   */
  subjectValid = false;
  /** The value of each of the last two fields as a decimal number, or -1; the others are not read as numbers. */
  readonly num = new Float64Array(MAX_FIELDS);

  /** Field 0, interned. */
  subject(buf: Buffer): string {
    return internAscii(buf, this.start[0], this.end[0], this.hash0);
  }

  /** The field as a new string, not interned (reply subjects: a requester's inbox is new for every request). */
  fresh(buf: Buffer, k: number): string {
    return buf.latin1Slice(this.start[k], this.end[k]);
  }
}

const DOT = 0x2e;
const FF = 0x0c;
const STAR = 0x2a;
const GT = 0x3e;

/** Whether `buf[start, end)` is a token a publish subject may have: not empty, not a lone `*` or `>`. */
function literalToken(buf: Buffer, start: number, end: number): boolean {
  if (end === start) return false;
  if (end - start > 1) return true;
  const t = buf[start];
  return t !== STAR && t !== GT;
}

/**
 * Whether all four bytes of `w` are in 0x21-0x7f (none ends a field, none is non-ASCII). Subtracting 0x21
 * from every byte sets a byte's top bit when it was below 0x21 (the first such byte exactly; the borrow
 * only reaches bytes above it, and one hit is enough), and `| w` adds the bytes at or above 0x80.
 */
function plainWord(w: number): boolean {
  return (((w - 0x21212121) | w) & 0x80808080) === 0;
}

/** Whether byte `c` ends a field: a space or tab (the separators) or the line's CR or LF. */
function endsField(c: number): boolean {
  return c <= SPACE && (c === SPACE || c === TAB || c === CR || c === LF);
}

/**
 * The hot path's control-line scanner (PUB/HPUB): from `start` (just after the op word) it reads ASCII
 * fields separated by spaces/tabs up to CRLF (or LF), in one pass. Only the first field is hashed and only
 * the last two are read as numbers: a publish's reply subject (often 30+ characters of inbox) is skipped
 * four bytes at a time. Returns the index just past the line, or -1 when the line is not whole in
 * `buf`, is longer than `limit`, has a non-ASCII byte or too many fields: the caller then takes the
 * general, byte-at-a-time path. `view` covers the same bytes as `buf` (index for index).
 */
export function scanLine(buf: Buffer, view: DataView, start: number, len: number, limit: number, out: ScannedLine): number {
  const stop = Math.min(len, start + limit);
  let i = start;
  let n = 0;
  for (;;) {
    let c = 0;
    while (i < stop && ((c = buf[i]) === SPACE || c === TAB)) i++;
    if (i >= stop) return -1;
    if (c === CR || c === LF) break;
    if (n === MAX_FIELDS) return -1;
    const fieldStart = i;
    if (n === 0) {
      let h = FNV_OFFSET;
      let tokenStart = i;
      let valid = true;
      while (i < stop) {
        c = buf[i];
        // Separators, whitespace and '*' sort at or below '.': one comparison for most characters.
        if (c <= DOT) {
          if (endsField(c)) break;
          if (c === DOT) {
            if (!literalToken(buf, tokenStart, i)) valid = false;
            tokenStart = i + 1;
          } else if (c === FF) {
            valid = false;
          }
        }
        if (c >= 0x80) return -1;
        h = Math.imul(h ^ c, 0x01000193);
        i++;
      }
      out.hash0 = h;
      out.subjectValid = valid && literalToken(buf, tokenStart, i);
    } else {
      // Four bytes at a time while none of them can end the field or be non-ASCII (a publish's reply
      // subject is mostly 30-50 plain characters): a third of a PUB line's scan saved (measured).
      while (i + 4 <= stop && plainWord(view.getUint32(i, true))) i += 4;
      while (i < stop) {
        c = buf[i];
        if (endsField(c)) break;
        if (c >= 0x80) return -1;
        i++;
      }
    }
    if (i >= stop) return -1;
    out.start[n] = fieldStart;
    out.end[n] = i;
    n++;
  }
  out.count = n;
  for (let k = n < 2 ? 0 : n - 2; k < n; k++) out.num[k] = parseSize(buf, out.start[k], out.end[k]);
  if (buf[i] === CR) {
    if (i + 1 >= len) return -1;
    if (buf[i + 1] !== LF) return -1;
    return i + 2;
  }
  return i + 1;
}

import { fieldString } from "@tsnats/protocol"; // also the Buffer fast-path typings (utf8Slice, utf8Write, ...)

/**
 * The byte format of batches between threads: ops appended to one growing buffer, read back in order.
 * Integers are little-endian; strings are a u16 byte length and UTF-8 (subjects, sids, account names);
 * payloads a u32 length and the bytes. A batch starts with its own byte length (u32), then a header word
 * (see ops.ts). The buffer itself is what travels (transferred, not copied), so it may be longer than
 * the batch.
 */

const INITIAL = 32 * 1024;
/** Strings longer than this are written and read with one native call instead of a loop per char (measured). */
const NATIVE_FROM = 24;
const MIN_NEXT = 1024;
const MAX_NEXT = 256 * 1024;

/** An ArrayBuffer of its own (transferable), not zero-filled: every byte read was written first. */
function newBuffer(size: number): ArrayBuffer {
  return Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer;
}

/** Copies `s` to `buf` at `at` char by char if it is all ASCII; false (and a partial copy) otherwise. */
function copyAscii(s: string, buf: Buffer, at: number): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return false;
    buf[at + i] = c;
  }
  return true;
}

export class BatchWriter {
  private ab = newBuffer(INITIAL);
  private buf: Buffer = Buffer.from(this.ab);
  private view = new DataView(this.ab);
  private cap = INITIAL;
  private pos = 4;
  /** Ops written since the last take. */
  count = 0;

  /** Bytes written, the length word included. */
  get length(): number {
    return this.pos;
  }

  /** Makes room for `n` more bytes. Kept tiny so that it inlines; growing is the rare case. */
  private ensure(n: number): void {
    if (this.pos + n > this.cap) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.cap * 2;
    while (size < this.pos + n) size *= 2;
    const ab = newBuffer(size);
    new Uint8Array(ab).set(new Uint8Array(this.ab, 0, this.pos));
    this.setBuffer(ab);
  }

  private setBuffer(ab: ArrayBuffer): void {
    this.ab = ab;
    this.buf = Buffer.from(ab);
    this.view = new DataView(ab);
    this.cap = ab.byteLength;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /**
   * A string of up to 64 KiB of UTF-8. Short ASCII is copied char by char, cheaper than a native call up to
   * about NATIVE_FROM chars; longer strings (ack subjects, inboxes) are written natively, ~2.5x faster at 55.
   */
  str(s: string): void {
    const n = s.length;
    this.ensure(2 + n * 3);
    const buf = this.buf;
    const at = this.pos + 2;
    const len = n <= NATIVE_FROM && copyAscii(s, buf, at) ? n : buf.utf8Write(s, at);
    if (len > 0xffff) throw new RangeError("batch string over 64 KiB");
    buf[this.pos] = len & 0xff;
    buf[this.pos + 1] = len >>> 8;
    this.pos += 2 + len;
  }

  /** An optional string: absent is written as the empty string. */
  optStr(s: string | undefined): void {
    this.str(s ?? "");
  }

  bytes(b: Uint8Array): void {
    this.u32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** The Pub op (or PubHinted: `op`; see ops.ts), written with one bounds check: the front-end's hottest write. */
  pub(op: number, cid: number, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): void {
    this.ensure(15 + (subject.length + (reply?.length ?? 0)) * 3 + data.length);
    this.buf[this.pos++] = op;
    this.view.setUint32(this.pos, cid, true);
    this.pos += 4;
    this.str(subject);
    this.str(reply ?? "");
    this.view.setInt32(this.pos, headerSize, true);
    this.view.setUint32(this.pos + 4, data.length, true);
    this.pos += 8;
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /**
   * The batch so far, in its own ArrayBuffer (to be transferred: no copy is made); the writer goes on with
   * a fresh buffer.
   */
  take(): ArrayBuffer {
    const out = this.ab;
    this.view.setUint32(0, this.pos, true);
    // The next buffer is sized after the recent batches: steady traffic never grows a buffer, and after a
    // burst the size comes down gradually (an eighth per batch: a shard's answers alternate between a few
    // acks and a run of deliveries, and halving made every run grow its buffer again, copying each time).
    const next = Math.max(Math.ceil(this.pos * 1.25), this.cap - (this.cap >>> 3));
    this.setBuffer(newBuffer(Math.min(Math.max(MIN_NEXT, next), MAX_NEXT)));
    this.pos = 4;
    this.count = 0;
    return out;
  }

  /** Starts over without producing anything. */
  reset(): void {
    this.pos = 4;
    this.count = 0;
  }
}

/**
 * Decodes `buf[start, end)` as a string. Short strings come back batch after batch (subjects, sids) and go
 * through the protocol parser's intern table (the same thread's, so the front-end's parser and its batch
 * reader share it): a table hit is far cheaper than decoding (and later hashing) a fresh string. Long ones
 * are mostly unique (ack subjects, inboxes), and one native decode costs less than hashing them even when
 * they repeat.
 */
export function decodeInterned(buf: Buffer, start: number, end: number): string {
  const len = end - start;
  if (len === 0) return "";
  if (len > NATIVE_FROM) return buf.utf8Slice(start, end);
  return fieldString(buf, start, end);
}

export class BatchReader {
  private readonly buf: Buffer;
  private readonly view: DataView;
  private readonly end: number;
  pos = 4;

  constructor(private readonly ab: ArrayBuffer) {
    this.buf = Buffer.from(ab);
    this.view = new DataView(ab);
    this.end = this.view.getUint32(0, true);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    return this.buf[this.pos++];
  }

  u32(): number {
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(): number {
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  str(): string {
    const buf = this.buf;
    const len = buf[this.pos] | (buf[this.pos + 1] << 8);
    const start = this.pos + 2;
    this.pos = start + len;
    return decodeInterned(buf, start, start + len);
  }

  /** The bytes of the next string, without reading it: its first byte's offset in `bytesView` (length: `peekLength`). */
  peekStr(): number {
    return this.pos + 2;
  }

  peekLength(): number {
    return this.buf[this.pos] | (this.buf[this.pos + 1] << 8);
  }

  skipStr(): void {
    this.pos += 2 + this.peekLength();
  }

  /** The batch's bytes (read-only use: offsets from peekStr). */
  get bytesView(): Buffer {
    return this.buf;
  }

  optStr(): string | undefined {
    const s = this.str();
    return s === "" ? undefined : s;
  }

  /** A view of the bytes inside the batch (valid as long as the batch is). */
  bytes(): Uint8Array {
    const len = this.u32();
    // From the ArrayBuffer itself: asking the Buffer for its `buffer` and `byteOffset` doubled the cost.
    const v = new Uint8Array(this.ab, this.pos, len);
    this.pos += len;
    return v;
  }
}

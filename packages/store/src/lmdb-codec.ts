/**
 * Binary layouts of what the LMDB store writes (values are stored with `encoding: 'binary'`, keys with
 * `keyEncoding: 'binary'`, compared bytewise by LMDB).
 *
 * Message value: a 16-byte head, then subject (UTF-8), headers, data:
 *   [0, 8)  time, ns since the epoch, signed 64-bit little-endian
 *   [8, 12) subject length in bytes, u32 LE
 *   [12,16) header block length in bytes, u32 LE (0: no headers)
 *
 * Sequence key: 8 bytes, unsigned big-endian, so byte order is numeric order.
 */
import type { MessageArena } from "./message-arena.js";
import { storedSize, type StoredMessage } from "./types.js";

export const MESSAGE_HEAD = 16;

/**
 * A message decoded from (or encoded into) a stored value: `buf[start, end)`, its parts at the absolute
 * offsets `hstart` (headers) and `dstart` (data). Its parts are read from there when asked for: most stored
 * messages are never read back before they are written (publishing), so views and the time's bigint made
 * eagerly were garbage per message.
 */
export class EncodedMessage implements StoredMessage {
  constructor(
    readonly seq: number,
    readonly subject: string,
    /** The buffer holding the stored value (a MessageArena chunk, a block, or the value alone). */
    readonly buf: Buffer,
    readonly start: number,
    private readonly hstart: number,
    private readonly dstart: number,
    readonly end: number,
  ) {}

  get time(): bigint {
    return readTime(this.buf, this.start);
  }

  get headers(): Uint8Array | undefined {
    return this.dstart > this.hstart ? view(this.buf, this.hstart, this.dstart) : undefined;
  }

  get data(): Uint8Array {
    return view(this.buf, this.dstart, this.end);
  }

  /** What the message counts for in a file stream's `bytes`. */
  get storedSize(): number {
    return storedSize(this.hstart - this.start - MESSAGE_HEAD, this.dstart - this.hstart, this.end - this.dstart, "file");
  }
}

/**
 * The time field through an 8-byte scratch: Buffer's write/readBigInt64LE split the bigint with bigint
 * arithmetic (measured: 1.5% of the shard publishing to a file stream). Little-endian hosts only; others
 * take Buffer's methods.
 */
const timeScratch = new BigInt64Array(1);
const timeBytes = new Uint8Array(timeScratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeTime(buf: Buffer, at: number, time: bigint): void {
  if (!LITTLE_ENDIAN) {
    buf.writeBigInt64LE(time, at);
    return;
  }
  timeScratch[0] = time;
  for (let i = 0; i < 8; i++) buf[at + i] = timeBytes[i];
}

function readTime(buf: Buffer, at: number): bigint {
  if (!LITTLE_ENDIAN) return buf.readBigInt64LE(at);
  for (let i = 0; i < 8; i++) timeBytes[i] = buf[at + i];
  return timeScratch[0];
}

/**
 * Encodes a message into `arena` (a fresh buffer without one): the one private copy the store keeps until
 * it is written, and after that while it is in the in-memory tail.
 */
export function encodeMessage(
  seq: number,
  subject: string,
  headers: Uint8Array | undefined,
  data: Uint8Array,
  time: bigint,
  arena?: MessageArena,
): EncodedMessage {
  const ascii = isAscii(subject);
  const slen = ascii ? subject.length : Buffer.byteLength(subject);
  const hlen = headers?.length ?? 0;
  const size = MESSAGE_HEAD + slen + hlen + data.length;
  let buf: Buffer;
  let start = 0;
  if (arena !== undefined) {
    start = arena.alloc(size);
    buf = arena.chunk;
  } else {
    buf = Buffer.allocUnsafe(size);
  }
  writeTime(buf, start, time);
  writeU32LE(buf, start + 8, slen);
  writeU32LE(buf, start + 12, hlen);
  const sstart = start + MESSAGE_HEAD;
  // Subjects are short and nearly always ASCII: a byte loop is cheaper than the native UTF-8 encoder.
  if (ascii) for (let i = 0; i < slen; i++) buf[sstart + i] = subject.charCodeAt(i);
  else buf.write(subject, sstart, slen, "utf8");
  const hstart = sstart + slen;
  if (hlen > 0) buf.set(headers!, hstart);
  const dstart = hstart + hlen;
  buf.set(data, dstart);
  return new EncodedMessage(seq, subject, buf, start, hstart, dstart, start + size);
}

/** Buffer#writeUInt32LE without its argument checks (measured: 20 -> 7 ns); `v` must be a u32. */
export function writeU32LE(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v;
  buf[at + 1] = v >>> 8;
  buf[at + 2] = v >>> 16;
  buf[at + 3] = v >>> 24;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** A plain Uint8Array view (Buffer#subarray's species construction costs more, per message). */
function view(buf: Buffer, start: number, end: number): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset + start, end - start);
}

/**
 * The subject stored in `raw[MESSAGE_HEAD, end)`. Consecutive messages mostly share their subject, so the
 * last one decoded is kept with its bytes: comparing a few bytes costs less than decoding (and allocating)
 * the string again.
 */
let lastSubject = "";
/** The bytes of lastSubject (subjects up to its size are kept; longer ones are simply decoded). */
const lastSubjectBytes = Buffer.alloc(256);
let lastSubjectLength = -1;

function subjectOf(raw: Buffer, end: number): string {
  const len = end - MESSAGE_HEAD;
  if (len === lastSubjectLength) {
    let i = 0;
    while (i < len && lastSubjectBytes[i] === raw[MESSAGE_HEAD + i]) i++;
    if (i === len) return lastSubject;
  }
  const subject = (raw as FastBuffer).utf8Slice(MESSAGE_HEAD, end);
  if (len <= lastSubjectBytes.length) {
    for (let i = 0; i < len; i++) lastSubjectBytes[i] = raw[MESSAGE_HEAD + i];
    lastSubject = subject;
    lastSubjectLength = len;
  }
  return subject;
}

/** Buffer's native decoder, without toString's argument handling (it exists on every Buffer). */
interface FastBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
}

/** Decodes a stored value; `raw` must be a buffer the caller owns (not lmdb's reused read buffer). */
export function decodeMessage(seq: number, raw: Buffer): EncodedMessage {
  const slen = raw.readUInt32LE(8);
  const hlen = raw.readUInt32LE(12);
  const hstart = MESSAGE_HEAD + slen;
  return new EncodedMessage(seq, subjectOf(raw, hstart), raw, 0, hstart, hstart + hlen, raw.length);
}

/** The subject of a stored value, without decoding the rest. */
export function decodeSubject(raw: Uint8Array): string {
  const b = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return subjectOf(b, MESSAGE_HEAD + b.readUInt32LE(8));
}

/** What a stored value counts for in a file stream's `bytes`. */
export function storedSizeOf(raw: Buffer): number {
  const slen = raw.readUInt32LE(8);
  const hlen = raw.readUInt32LE(12);
  return storedSize(slen, hlen, raw.length - MESSAGE_HEAD - slen - hlen, "file");
}

/** The 8-byte big-endian key of a sequence (sequences stay below 2^53). */
export function seqKey(seq: number, into: Buffer = Buffer.allocUnsafe(8), offset = 0): Buffer {
  into.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), offset);
  into.writeUInt32BE(seq >>> 0, offset + 4);
  return into;
}

export function readSeq(key: Uint8Array, offset = key.length - 8): number {
  const b = Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return b.readUInt32BE(offset) * 0x1_0000_0000 + b.readUInt32BE(offset + 4);
}

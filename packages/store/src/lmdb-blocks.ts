/**
 * Message blocks: the values of a file stream's `msgs` database. A commit writes its new messages a block
 * (several consecutive messages) per LMDB put instead of one put per message: a put costs ~1.5 µs whatever
 * its size, and was a quarter of the routing shard's time when publishing.
 *
 * Key: the 8-byte sequence key (lmdb-codec.ts) of the block's first sequence when it was written. Every
 * sequence in a block is >= its key and < the next block's key, so the block holding `seq` is the one with
 * the greatest key <= seq. Removing messages rewrites their block without them (an emptied block goes).
 *
 * Value:
 *   [0, 8)            0xff x 8: the block marker (a message value starts with its time, never negative)
 *   [8, 12)           n, u32 LE
 *   [12, 12+4n)       each message's sequence minus the key, u32 LE, ascending
 *   [12+4n, 12+8n)    each message's end offset in the data area, u32 LE
 *   [12+8n, ...)      the messages' values (lmdb-codec.ts), one after the other
 * A value without the marker is a single message stored under its own sequence (how every message was
 * stored before blocks, and still readable as a block of one).
 */
import type { Database } from "lmdb";
import { readSeq, seqKey, writeU32LE } from "./lmdb-codec.js";
import { lowerBoundSeq } from "./sorted.js";

const MARKER = 0xff;
const HEAD = 12;
/**
 * A commit's messages are cut into blocks of at most this many bytes (or BLOCK_MAX_MSGS messages): one LMDB
 * overflow page (4 KiB less its header). Measured in-shard (bench/publish.bench.js, 256 messages a commit),
 * against a put per message: 128 B messages 0.32-0.35M -> ~0.5M msgs/s, 1 KiB 187k -> 242k. Larger blocks
 * gain little for small messages (1 KiB: 16 KiB blocks 320k), need runs of contiguous free pages, and make
 * a scattered removal (a KV key's old value) rewrite more bytes.
 */
export const BLOCK_MAX_BYTES = 4064;
export const BLOCK_MAX_MSGS = 256;

/** One decoded block: sequences and views of the values, into a buffer the block owns. */
export class Block {
  private constructor(
    /** The block's key, as a number. */
    readonly base: number,
    private readonly buf: Buffer,
    /** Messages in the block. */
    readonly size: number,
    private readonly single: boolean,
  ) {}

  /** `value` must be owned by the caller (not lmdb's reused read buffer). */
  static decode(key: Uint8Array, value: Buffer): Block {
    const base = readSeq(key);
    if (!isBlock(value)) return new Block(base, value, 1, true);
    return new Block(base, value, value.readUInt32LE(8), false);
  }

  /** The whole stored value. */
  get bytes(): Buffer {
    return this.buf;
  }

  seq(i: number): number {
    return this.single ? this.base : this.base + this.buf.readUInt32LE(HEAD + 4 * i);
  }

  /** The stored value of message `i`: a Buffer view into the block. */
  raw(i: number): Buffer {
    if (this.single) return this.buf;
    return this.buf.subarray(this.valueStart(i), this.valueEnd(i));
  }

  /** Message `i` where it lies in the block's buffer. */
  value(i: number): BlockValue {
    if (this.single) return { seq: this.base, buf: this.buf, start: 0, end: this.buf.length };
    return { seq: this.seq(i), buf: this.buf, start: this.valueStart(i), end: this.valueEnd(i) };
  }

  private valueStart(i: number): number {
    const n = this.size;
    return HEAD + 8 * n + (i === 0 ? 0 : this.buf.readUInt32LE(HEAD + 4 * n + 4 * (i - 1)));
  }

  private valueEnd(i: number): number {
    const n = this.size;
    return HEAD + 8 * n + this.buf.readUInt32LE(HEAD + 4 * n + 4 * i);
  }

  /** The index of the first message with sequence >= `seq` (size when none). */
  lowerBound(seq: number): number {
    return lowerBoundSeq(this, seq);
  }

  /** The index of `seq`, or -1. */
  indexOf(seq: number): number {
    const i = this.lowerBound(seq);
    return i < this.size && this.seq(i) === seq ? i : -1;
  }

  get firstSeq(): number {
    return this.seq(0);
  }

  get lastSeq(): number {
    return this.seq(this.size - 1);
  }
}

function isBlock(value: Uint8Array): boolean {
  if (value.length < HEAD) return false;
  for (let i = 0; i < 8; i++) if (value[i] !== MARKER) return false;
  return true;
}

/** A message's stored value to write: `buf[start, end)`. */
export interface BlockValue {
  readonly seq: number;
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
}

/** The value alone, as a Buffer (the buffer itself when it is nothing else). */
function valueOf(v: BlockValue): Buffer {
  return v.start === 0 && v.end === v.buf.length ? v.buf : v.buf.subarray(v.start, v.end);
}

/**
 * Where blocks are encoded to be put: lmdb-js copies a value in `put` when it runs inside a synchronous
 * transaction (every write of a BlockLog does), and a buffer it has seen before costs it no native call
 * for the address (measured: ~2 µs less per put). A larger block gets a buffer of its own.
 */
const scratch = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * Encodes `values[from, to)` (ascending sequences, all >= base) as one block value. Neighbouring values
 * (a MessageArena's, or a block's being rewritten) are copied as one run. The value is valid until the
 * next call (it is put at once).
 */
export function encodeBlock(base: number, values: readonly BlockValue[], from: number, to: number): Buffer {
  const n = to - from;
  let bytes = 0;
  for (let i = from; i < to; i++) bytes += values[i].end - values[i].start;
  const data = HEAD + 8 * n;
  const size = data + bytes;
  const out = size <= scratch.length ? scratch.subarray(0, size) : Buffer.allocUnsafe(size);
  out.fill(MARKER, 0, 8);
  writeU32LE(out, 8, n);
  let end = 0;
  let run = values[from];
  let runStart = run.start;
  let runEnd = run.start;
  let copied = data;
  for (let i = 0; i < n; i++) {
    const v = values[from + i];
    writeU32LE(out, HEAD + 4 * i, v.seq - base);
    if (v.buf !== run.buf || v.start !== runEnd) {
      copied += run.buf.copy(out, copied, runStart, runEnd);
      run = v;
      runStart = v.start;
    }
    runEnd = v.end;
    end += v.end - v.start;
    writeU32LE(out, HEAD + 4 * n + 4 * i, end);
  }
  run.buf.copy(out, copied, runStart, runEnd);
  return out;
}

/**
 * Reads a `msgs` database of blocks as messages by sequence. Remembers the last block it read: consumers
 * and purges go through sequences in order, so most reads need no LMDB call at all. The owner calls
 * `invalidate` whenever a commit rewrote or removed blocks (new blocks never change existing ones).
 */
export class BlockLog {
  private last: Block | undefined;

  constructor(private readonly db: Database<Buffer, Buffer>) {}

  invalidate(): void {
    this.last = undefined;
  }

  /** The block whose range holds `seq` (the greatest key <= seq), if any. */
  blockAt(seq: number): Block | undefined {
    const c = this.last;
    if (c !== undefined && seq >= c.base && seq <= c.lastSeq) return c;
    const b = this.find(seq);
    if (b !== undefined) this.last = b;
    return b;
  }

  /**
   * Looks the block up in LMDB: first under `seq` itself (a message written alone, or a block starting
   * there: a direct read), then with a cursor for the greatest key below.
   */
  private find(seq: number): Block | undefined {
    const key = seqKey(seq);
    const exact = this.db.getBinary(key);
    if (exact !== undefined) return Block.decode(key, exact);
    for (const { key: k, value } of this.db.getRange({ start: key, reverse: true, limit: 1 })) return Block.decode(k, value);
    return undefined;
  }

  /** The stored value of `seq` (a view into its block), if stored. */
  get(seq: number): Buffer | undefined {
    const b = this.blockAt(seq);
    if (b === undefined) return undefined;
    const i = b.indexOf(seq);
    return i < 0 ? undefined : b.raw(i);
  }

  /** Whether `seq` is stored alone under its own key (a removal then deletes that key, reading nothing). */
  storedAlone(seq: number): boolean {
    const b = this.blockAt(seq);
    return b !== undefined && b.size === 1 && b.base === seq;
  }

  /** Deletes the key of a message stored alone (see storedAlone); with `erase`, overwritten with zeros first. */
  removeAlone(seq: number, size: number, erase: boolean): void {
    const key = seqKey(seq);
    if (erase) this.db.put(key, Buffer.alloc(size));
    this.db.remove(key);
    if (this.last !== undefined && this.last.base === seq) this.last = undefined;
  }

  /** The stored sequences and values in [from, to], ascending. */
  *entries(from: number, to: number): Generator<[number, Buffer]> {
    if (from > to) return;
    const first = this.blockAt(from);
    let next = from;
    if (first !== undefined) {
      for (let i = first.lowerBound(from); i < first.size; i++) {
        const seq = first.seq(i);
        if (seq > to) return;
        yield [seq, first.raw(i)];
      }
      next = first.base + 1;
    }
    if (next > to) return;
    for (const { key, value } of this.db.getRange({ start: seqKey(next), end: seqKey(to + 1) })) {
      const b = Block.decode(key, value);
      for (let i = 0; i < b.size; i++) {
        const seq = b.seq(i);
        if (seq > to) return;
        yield [seq, b.raw(i)];
      }
    }
  }

  /** The stored sequences and values in [downTo, from], descending. */
  *entriesDesc(from: number, downTo: number): Generator<[number, Buffer]> {
    if (from < downTo) return;
    for (const { key, value } of this.db.getRange({ start: seqKey(from), reverse: true })) {
      const b = Block.decode(key, value);
      for (let i = b.lowerBound(from + 1) - 1; i >= 0; i--) {
        const seq = b.seq(i);
        if (seq < downTo) return;
        yield [seq, b.raw(i)];
      }
      if (b.base <= downTo) return;
    }
  }

  /** How many sequences are stored in [from, to]. */
  count(from: number, to: number): number {
    if (from > to) return 0;
    let n = 0;
    const first = this.blockAt(from);
    let next = from;
    if (first !== undefined) {
      n += Math.min(first.lowerBound(to + 1), first.size) - first.lowerBound(from);
      next = first.base + 1;
    }
    if (next > to) return n;
    for (const { key, value } of this.db.getRange({ start: seqKey(next), end: seqKey(to + 1) })) {
      const b = Block.decode(key, value);
      n += b.lowerBound(to + 1);
    }
    return n;
  }

  /** The first stored sequence. */
  first(): number | undefined {
    for (const { key, value } of this.db.getRange({ start: seqKey(0), limit: 1 })) return Block.decode(key, value).firstSeq;
    return undefined;
  }

  // ---- writing (inside the commit transaction) ----------------------------------------------------

  /**
   * Writes new messages (ascending, after every stored sequence) as blocks of up to `maxMsgs` messages
   * (1: each alone, as the store does for streams whose removals are scattered, see LmdbStreamStore).
   */
  append(values: readonly BlockValue[], maxMsgs = BLOCK_MAX_MSGS): void {
    let start = 0;
    while (start < values.length) {
      let end = start;
      let bytes = 0;
      while (end < values.length && end - start < maxMsgs) {
        const len = values[end].end - values[end].start;
        if (end > start && HEAD + 8 * (end - start + 1) + bytes + len > BLOCK_MAX_BYTES) break;
        bytes += len;
        end++;
      }
      const first = values[start];
      this.db.put(seqKey(first.seq), end - start === 1 ? valueOf(first) : encodeBlock(first.seq, values, start, end));
      start = end;
    }
  }

  /**
   * Removes stored sequences (ascending; ones not stored are ignored): each block they fall in is rewritten
   * once without them, or removed when nothing is left. Where `erase` says so, the block is first
   * overwritten with those messages' bytes zeroed. With `explode`, what a block keeps is written one
   * message per key instead (removals scattered over a block would rewrite it again and again; alone, each
   * later removal is a delete). Returns how many blocks were rewritten or removed.
   */
  remove(seqs: readonly number[], erase: (seq: number) => boolean, explode = false): number {
    this.last = undefined;
    let touched = 0;
    let k = 0;
    while (k < seqs.length) {
      const k0 = k;
      const block = this.find(seqs[k]);
      if (block === undefined) {
        k++;
        continue;
      }
      const keep: BlockValue[] = [];
      let zeroed = false;
      for (let i = 0; i < block.size; i++) {
        const seq = block.seq(i);
        while (k < seqs.length && seqs[k] < seq) k++;
        if (k < seqs.length && seqs[k] === seq) {
          if (erase(seq)) {
            block.raw(i).fill(0);
            zeroed = true;
          }
          k++;
        } else {
          keep.push(block.value(i));
        }
      }
      // Sequences between this block's last and the next block are not stored anywhere.
      const lastSeq = block.lastSeq;
      while (k < seqs.length && seqs[k] <= lastSeq) k++;
      if (k === k0) k++;
      if (keep.length === block.size) continue;
      touched++;
      const key = seqKey(block.base);
      if (zeroed) this.db.put(key, block.bytes);
      if (keep.length === 0) {
        this.db.remove(key);
      } else if (explode || (keep.length === 1 && keep[0].seq === block.base)) {
        if (keep[0].seq !== block.base) this.db.remove(key);
        for (const v of keep) this.db.put(seqKey(v.seq), Buffer.from(valueOf(v)));
      } else {
        this.db.put(key, encodeBlock(block.base, keep, 0, keep.length));
      }
    }
    return touched;
  }
}

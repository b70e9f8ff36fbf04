import "./buffer-fast.js";
import { writeDecimal } from "./decimal.js";

/** Payloads at least this big are queued by reference instead of being copied into the slab. */
const BIG_PAYLOAD = 16 * 1024;
/** Slabs start small (idle connections hold little) and double up to this size while a connection is busy. */
const MIN_SLAB = 4 * 1024;
const MAX_SLAB = 64 * 1024;
/** Strings longer than this are written with one native call rather than a loop per char. */
const NATIVE_FROM = 24;

/**
 * A connection's outgoing bytes between two flushes. Small writes are appended to a slab; `take()` hands
 * out what was written since the last take as views of the slab (never written again: the next bytes go
 * after them, and a full slab is replaced, not reused), plus big payloads by reference. The owner writes
 * the chunks to the socket once per event-loop turn (corked, so they leave in one writev).
 */
export class OutboundBuffer {
  private slab: Buffer = EMPTY_SLAB;
  private start = 0;
  private pos = 0;
  private chunks: Buffer[] = [];
  private queued = 0;
  private slabSize = MIN_SLAB;

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.queued + (this.pos - this.start);
  }

  /** Makes room for `n` more bytes in the slab and returns the slab; write at `this.pos`. */
  private reserve(n: number): Buffer {
    if (this.pos + n > this.slab.length) this.newSlab(n);
    return this.slab;
  }

  /** Moves the slab's unsent bytes to the chunk list and starts a fresh slab with room for `n` bytes. */
  private newSlab(n: number): void {
    this.cutSlabKeep();
    if (this.slab !== EMPTY_SLAB && this.slabSize < MAX_SLAB) this.slabSize *= 2; // filled one: busy
    this.slab = Buffer.allocUnsafe(Math.max(this.slabSize, n));
    this.start = 0;
    this.pos = 0;
  }

  /**
   * Appends a latin1 string. Short ones (protocol words, subjects, sids) are copied char by char: a
   * native write call costs more than the loop up to about NATIVE_FROM chars (measured).
   */
  ascii(s: string): void {
    const n = s.length;
    const slab = this.reserve(n);
    if (n > NATIVE_FROM) {
      this.pos += slab.latin1Write(s, this.pos);
      return;
    }
    let p = this.pos;
    for (let i = 0; i < n; i++) slab[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Appends a string that may hold any unicode. */
  utf8(s: string): void {
    const max = s.length * 3;
    const slab = this.reserve(max);
    this.pos += slab.utf8Write(s, this.pos);
  }

  /** Appends a subject or other token: byte per char when it is ASCII, UTF-8 otherwise. */
  token(s: string): void {
    const n = s.length;
    if (n > NATIVE_FROM) return this.utf8(s);
    const slab = this.reserve(n);
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return this.utf8(s); // nothing committed yet: pos is unchanged
      slab[p++] = c;
    }
    this.pos = p;
  }

  /** Appends a non-negative integer in decimal. */
  uint(n: number): void {
    const slab = this.reserve(16);
    this.pos = writeDecimal(slab, this.pos, n);
  }

  /** Appends a short, already encoded piece (a cached control-line head), byte by byte. */
  head(b: Buffer): void {
    const n = b.length;
    const slab = this.reserve(n);
    let p = this.pos;
    for (let i = 0; i < n; i++) slab[p++] = b[i];
    this.pos = p;
  }

  /** Appends `src[start, end)` (an already encoded token, such as a reply subject read from a batch). */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    const slab = this.reserve(n);
    if (n > 64) {
      slab.set(src.subarray(start, end), this.pos);
      this.pos += n;
      return;
    }
    let p = this.pos;
    for (let i = start; i < end; i++) slab[p++] = src[i];
    this.pos = p;
  }

  byte(b: number): void {
    const slab = this.reserve(1);
    slab[this.pos++] = b;
  }

  crlf(): void {
    const slab = this.reserve(2);
    slab[this.pos++] = 0x0d;
    slab[this.pos++] = 0x0a;
  }

  /** Appends bytes: copied when small, queued by reference when big (the caller must not change them). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (n >= BIG_PAYLOAD) {
      this.cutSlabKeep();
      const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      this.chunks.push(buf);
      this.queued += n;
      return;
    }
    const slab = this.reserve(n);
    slab.set(b, this.pos);
    this.pos += n;
  }

  /** Like cutSlab, but keeps writing into the rest of the current slab afterwards. */
  private cutSlabKeep(): void {
    if (this.pos > this.start) {
      const part = this.slab.subarray(this.start, this.pos);
      this.chunks.push(part);
      this.queued += part.length;
      this.start = this.pos;
    }
  }

  /** Everything written since the last take, in order; empty when there is nothing. */
  take(): Buffer[] {
    this.cutSlabKeep();
    if (this.chunks.length === 0) return EMPTY;
    const out = this.chunks;
    this.chunks = [];
    this.queued = 0;
    if (this.slab.length - this.pos < 512) {
      // Not worth keeping a sliver; the next write allocates a slab when it comes.
      this.slab = EMPTY_SLAB;
      this.start = 0;
      this.pos = 0;
    }
    return out;
  }
}

const EMPTY: Buffer[] = [];
const EMPTY_SLAB = Buffer.alloc(0);

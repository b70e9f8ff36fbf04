/**
 * The tail of a file stream's committed messages, kept in memory after their commit. Consumers mostly read
 * right behind the publishers, and reading a message back from LMDB (lmdb-js get, copy, decode) was a
 * quarter of a shard's time when consuming. The stored values stay where the store encoded them (the
 * chunks of its MessageArena, adopted here), so there is no object per message for the GC to trace and no
 * copy; they are found by sequence, and past the byte budget the oldest chunk goes. Chunks are never
 * reused: a view handed out stays valid after eviction.
 */

/** A location is chunk number * OFFSETS + offset (offsets stay below 2^24, chunk numbers below 2^29). */
const OFFSETS = 2 ** 24;
/** A gap in sequences up to this long is kept as empty slots; a longer one starts the tail anew. */
const MAX_GAP = 4096;

export class RecentMessages {
  private readonly chunks: Buffer[] = [];
  /** The number of chunks[0] since the tail began (locations use these numbers). */
  private firstChunk = 0;
  private held = 0;
  /** Slot i (from `head`) is sequence `first + i - head`: its location, and its length (-1: none). */
  private loc = new Float64Array(256);
  private len = new Int32Array(256);
  private head = 0;
  private n = 0;
  private first = 0;
  /** Read or written since the last `releaseIdle`. */
  private touched = false;

  constructor(private readonly budget: number) {}

  /** Bytes of memory held. */
  get bytes(): number {
    return this.held;
  }

  /**
   * Keeps message `seq`'s stored value, `chunk[start, end)`; sequences come in ascending order. The chunk is
   * kept as it is (not copied): its bytes must not change, but for `drop`'s erasure.
   */
  add(seq: number, chunk: Buffer, start = 0, end = chunk.length): void {
    if (this.budget <= 0) return;
    this.touched = true;
    if (this.n > 0) {
      const gap = seq - (this.first + this.n);
      if (gap < 0 || gap > MAX_GAP) this.clear();
      else for (let g = 0; g < gap; g++) this.slot(-1, -1);
    }
    if (this.n === 0) this.first = seq;
    const len = end - start;
    if (start >= OFFSETS || len > this.budget) {
      this.slot(-1, -1);
      return;
    }
    if (this.chunks.length === 0 || this.chunks[this.chunks.length - 1] !== chunk) {
      this.chunks.push(chunk);
      this.held += chunk.length;
    }
    this.slot((this.firstChunk + this.chunks.length - 1) * OFFSETS + start, len);
    while (this.held > this.budget && this.chunks.length > 1) this.dropFirstChunk();
  }

  /** Message `seq`'s stored value (a view into a chunk), when it is kept. */
  get(seq: number): Buffer | undefined {
    const k = seq - this.first;
    if (!(k >= 0 && k < this.n) || (k | 0) !== k) return undefined;
    const i = this.head + k;
    const len = this.len[i];
    if (len < 0) return undefined;
    this.touched = true;
    const loc = this.loc[i];
    const c = Math.floor(loc / OFFSETS);
    const off = loc - c * OFFSETS;
    const chunk = this.chunks[c - this.firstChunk];
    return Buffer.from(chunk.buffer, chunk.byteOffset + off, len);
  }

  /** Message `seq` was removed (its slot keeps its location: eviction goes by it); `erase` zeroes its bytes. */
  drop(seq: number, erase: boolean): void {
    const k = seq - this.first;
    if (!(k >= 0 && k < this.n) || (k | 0) !== k) return;
    const i = this.head + k;
    if (erase && this.len[i] > 0) this.get(seq)!.fill(0);
    this.len[i] = -1;
  }

  clear(): void {
    this.chunks.length = 0;
    this.firstChunk = 0;
    this.held = 0;
    this.head = 0;
    this.n = 0;
  }

  /** Lets the memory go when nothing used the tail since the last call (called periodically). */
  releaseIdle(): void {
    if (!this.touched) this.clear();
    this.touched = false;
  }

  private slot(loc: number, len: number): void {
    if (this.head + this.n === this.loc.length) this.makeRoom();
    this.loc[this.head + this.n] = loc;
    this.len[this.head + this.n] = len;
    this.n++;
  }

  /** Moves the slots to the front, or doubles the arrays when they are more than half full. */
  private makeRoom(): void {
    if (this.n * 2 <= this.loc.length) {
      this.loc.copyWithin(0, this.head, this.head + this.n);
      this.len.copyWithin(0, this.head, this.head + this.n);
    } else {
      const loc = new Float64Array(this.loc.length * 2);
      const len = new Int32Array(this.len.length * 2);
      loc.set(this.loc.subarray(this.head, this.head + this.n));
      len.set(this.len.subarray(this.head, this.head + this.n));
      this.loc = loc;
      this.len = len;
    }
    this.head = 0;
  }

  /** Drops the oldest chunk and the slots that point into it (slots fill chunks in sequence order). */
  private dropFirstChunk(): void {
    const c = this.firstChunk;
    while (this.n > 0) {
      // A run of empty slots goes with the slot that follows it, when that one is in the chunk.
      const end = this.head + this.n;
      let j = this.head;
      while (j < end && this.loc[j] < 0) j++;
      if (j < end && Math.floor(this.loc[j] / OFFSETS) !== c) break;
      const k = (j < end ? j + 1 : end) - this.head;
      this.head += k;
      this.n -= k;
      this.first += k;
    }
    this.held -= this.chunks[0].length;
    this.chunks.shift();
    this.firstChunk++;
  }
}

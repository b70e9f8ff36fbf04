/**
 * Append-only memory for a file stream's encoded messages. A message is encoded here when it is appended,
 * and stays where it is while the store holds it in memory: in the overlay until its commit, then in the
 * in-memory tail (RecentMessages adopts the chunks). So there is one allocation per chunk instead of a
 * Buffer per message (measured: Buffer.allocUnsafe and its pool were a fifth of encoding a message), the
 * commit writes a block with one copy per run of neighbouring messages, and the tail copies nothing.
 *
 * Bytes are never reused: a chunk is left whole once full, and lives as long as anything points into it
 * (views handed to readers stay valid).
 */

/** The first chunk's size; each next one doubles, up to MAX_CHUNK. A value larger gets a chunk of its own. */
const FIRST_CHUNK = 64 * 1024;
const MAX_CHUNK = 1 << 20;
const NONE = Buffer.alloc(0);

export class MessageArena {
  /** The chunk the last `alloc` placed its bytes in. */
  chunk: Buffer = NONE;
  private fill = 0;
  private nextSize = FIRST_CHUNK;

  /** Room for `len` bytes: their offset in `chunk`, which is a new chunk when the current one is full. */
  alloc(len: number): number {
    if (this.fill + len > this.chunk.length) {
      this.chunk = Buffer.allocUnsafeSlow(Math.max(this.nextSize, len));
      this.fill = 0;
      if (this.nextSize < MAX_CHUNK) this.nextSize *= 2;
    }
    const at = this.fill;
    this.fill += len;
    return at;
  }

  /** Forgets the current chunk (an idle stream lets its memory go); the next one starts small again. */
  release(): void {
    this.chunk = NONE;
    this.fill = 0;
    this.nextSize = FIRST_CHUNK;
  }
}

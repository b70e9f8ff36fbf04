/**
 * A map keyed by stream sequence (a non-negative safe integer), for the messages a consumer has pending.
 *
 * A consumer adds a sequence per delivery and removes one per ack, tens of thousands outstanding. A Map
 * rehashes its whole table every time the holes left by deletions fill it: at that size a new table of
 * a few hundred kilobytes per rehash, allocated in the old generation, and the garbage that made the
 * shard run a full collection several times a second while consuming. Pending sequences sit close
 * together, so here they live in fixed pages of PAGE slots found through a small Map of pages: adding
 * and removing touch one slot, a page is made (or taken back from the spare) once per PAGE sequences,
 * and iteration is in ascending sequence order.
 */

const PAGE = 1024;

interface Page<V> {
  readonly slots: (V | undefined)[];
  count: number;
}

export class SeqMap<V> {
  private readonly pages = new Map<number, Page<V>>();
  /** The page of the last lookup (deliveries and acks go in order, mostly in the same page). */
  private lastNo = -1;
  private last: Page<V> | undefined = undefined;
  /** An emptied page kept for the next one needed. */
  private spare: Page<V> | undefined = undefined;
  /** Iterations under way: the spare is not reused meanwhile (an iteration may hold the emptied page). */
  private iterating = 0;
  private entries = 0;

  get size(): number {
    return this.entries;
  }

  private page(no: number): Page<V> | undefined {
    if (no === this.lastNo) return this.last;
    const p = this.pages.get(no);
    if (p !== undefined) {
      this.lastNo = no;
      this.last = p;
    }
    return p;
  }

  get(seq: number): V | undefined {
    const no = Math.floor(seq / PAGE);
    return this.page(no)?.slots[seq - no * PAGE];
  }

  has(seq: number): boolean {
    return this.get(seq) !== undefined;
  }

  set(seq: number, value: V): this {
    const no = Math.floor(seq / PAGE);
    let p = this.page(no);
    if (p === undefined) {
      if (this.spare !== undefined && this.iterating === 0) {
        p = this.spare;
        this.spare = undefined;
      } else {
        p = { slots: new Array<V | undefined>(PAGE).fill(undefined), count: 0 };
      }
      this.pages.set(no, p);
      this.lastNo = no;
      this.last = p;
    }
    const i = seq - no * PAGE;
    if (p.slots[i] === undefined) {
      p.count++;
      this.entries++;
    }
    p.slots[i] = value;
    return this;
  }

  delete(seq: number): boolean {
    const no = Math.floor(seq / PAGE);
    const p = this.page(no);
    const i = seq - no * PAGE;
    if (p === undefined || p.slots[i] === undefined) return false;
    p.slots[i] = undefined;
    p.count--;
    this.entries--;
    if (p.count === 0) {
      this.pages.delete(no);
      if (this.lastNo === no) {
        this.lastNo = -1;
        this.last = undefined;
      }
      this.spare = p;
    }
    return true;
  }

  clear(): void {
    this.pages.clear();
    this.lastNo = -1;
    this.last = undefined;
    this.entries = 0;
  }

  /**
   * [sequence, value] in ascending sequence order. Like a Map's, the iteration is live: what is deleted
   * before it is reached is skipped.
   */
  *[Symbol.iterator](): IterableIterator<[number, V]> {
    const nos = [...this.pages.keys()].sort((a, b) => a - b);
    this.iterating++;
    try {
      for (const no of nos) {
        const p = this.pages.get(no);
        if (p === undefined) continue;
        const base = no * PAGE;
        for (let i = 0; i < PAGE; i++) {
          const v = p.slots[i];
          if (v !== undefined) yield [base + i, v];
        }
      }
    } finally {
      this.iterating--;
    }
  }

  *keys(): IterableIterator<number> {
    for (const [seq] of this) yield seq;
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this) yield v;
  }
}

/** What PendingOrder reads of the pending messages: which sequences are still pending. */
export interface PendingSet {
  readonly size: number;
  has(seq: number): boolean;
  keys(): Iterable<number>;
}

/**
 * The stream sequences a consumer has pending, in the order they were first delivered (stream order),
 * for the ack floor and AckAll. A Map alone cannot answer "the oldest pending" cheaply: V8 leaves a hole
 * for every deleted entry until it rehashes, so iterating from the front after many acks walks them all,
 * on every ack. Here acknowledged sequences are skipped once each and the array is compacted as it drains.
 */
export class PendingOrder {
  private seqs: number[] = [];
  private head = 0;

  /**
   * A first delivery: sequences arrive ascending. Acknowledged sequences behind an old unacknowledged one
   * are not skipped until it goes, so when they pile up (one message redelivered for hours while thousands
   * pass) the array is rebuilt from `pending`: it stays within a small multiple of what is pending.
   */
  push(seq: number, pending: PendingSet): void {
    this.seqs.push(seq);
    if (this.seqs.length - this.head > 2 * pending.size + 1024) {
      this.seqs = this.seqs.slice(this.head).filter((s) => pending.has(s));
      this.head = 0;
    }
  }

  /** The oldest sequence still in `pending`, dropping the acknowledged ones ahead of it. */
  oldest(pending: PendingSet): number | undefined {
    const seqs = this.seqs;
    let h = this.head;
    while (h < seqs.length && !pending.has(seqs[h])) h++;
    this.head = h;
    this.compact();
    return h < seqs.length ? seqs[h] : undefined;
  }

  /** The pending sequences up to `upTo`, oldest first (AckAll settles them). */
  upTo(pending: PendingSet, upTo: number): number[] {
    const out: number[] = [];
    for (let i = this.head; i < this.seqs.length && this.seqs[i] <= upTo; i++) if (pending.has(this.seqs[i])) out.push(this.seqs[i]);
    return out;
  }

  /** Rebuilt from the pending map (after a restore, or when entries left it out of order). */
  reset(pending: PendingSet): void {
    this.seqs = [...pending.keys()].sort((a, b) => a - b);
    this.head = 0;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.seqs.length) {
      this.seqs = this.seqs.slice(this.head);
      this.head = 0;
    }
  }
}

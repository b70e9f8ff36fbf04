/**
 * An ascending list of sequences (one subject's messages): appends at the end, removals mostly at the front
 * (limits, purges) in O(1) through a head offset, interior removals by binary search.
 */
import { lowerBound } from "./sorted.js";

export class SeqList {
  private seqs: number[] = [];
  private head = 0;

  get size(): number {
    return this.seqs.length - this.head;
  }

  push(seq: number): void {
    this.seqs.push(seq);
  }

  first(): number | undefined {
    return this.head < this.seqs.length ? this.seqs[this.head] : undefined;
  }

  last(): number | undefined {
    return this.head < this.seqs.length ? this.seqs[this.seqs.length - 1] : undefined;
  }

  /** The first sequence >= `from`, or undefined. */
  firstFrom(from: number): number | undefined {
    const i = lowerBound(this.seqs, from, this.head);
    return i < this.seqs.length ? this.seqs[i] : undefined;
  }

  /** How many sequences are >= `from`. */
  countFrom(from: number): number {
    return this.seqs.length - lowerBound(this.seqs, from, this.head);
  }

  /** The sequences, ascending, that are < `below` (all when absent), at most `limit` of them. */
  take(limit: number, below = Infinity): number[] {
    const out: number[] = [];
    for (let i = this.head; i < this.seqs.length && out.length < limit; i++) {
      const s = this.seqs[i];
      if (s >= below) break;
      out.push(s);
    }
    return out;
  }

  remove(seq: number): boolean {
    const seqs = this.seqs;
    if (this.head < seqs.length && seqs[this.head] === seq) {
      this.head++;
      if (this.head === seqs.length) {
        this.seqs = [];
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= seqs.length) {
        this.seqs = seqs.slice(this.head);
        this.head = 0;
      }
      return true;
    }
    const i = lowerBound(seqs, seq, this.head);
    if (i >= seqs.length || seqs[i] !== seq) return false;
    if (i === seqs.length - 1) seqs.pop();
    else seqs.splice(i, 1);
    return true;
  }
}

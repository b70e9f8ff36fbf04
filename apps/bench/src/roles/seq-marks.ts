// What a JetStream receiver got, by stream sequence (from each delivery's ack subject): how often each
// sequence arrived, for the exactly-once check, and how many arrived below one seen before.
import { ackStreamSeq, type MsgView } from "../wire/frames.js";

export class SeqMarks {
  /** Index = stream sequence (1-based); deliveries of it, saturating at 255. */
  readonly seen: Uint8Array;
  outOfOrder = 0;
  private last = 0;

  constructor(total: number) {
    this.seen = new Uint8Array(total + 1);
  }

  mark(m: MsgView): void {
    const seq = ackStreamSeq(m.buf, m.replyStart, m.replyEnd);
    if (seq > 0 && seq < this.seen.length && this.seen[seq] < 255) this.seen[seq]++;
    if (seq < this.last) this.outOfOrder++;
    this.last = seq;
  }
}

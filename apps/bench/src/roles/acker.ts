// Acks for JetStream deliveries: `PUB <ack subject> 0` built from the delivery's reply bytes, gathered
// while one read is handled and written together (one socket write per read, not one per message).
import type { RawConn } from "../wire/conn.js";
import type { MsgView } from "../wire/frames.js";

const PUB = Buffer.from("PUB ");
const EMPTY = Buffer.from(" 0\r\n\r\n");

export class Acker {
  private parts: Buffer[] = [];
  private scheduled = false;

  constructor(private readonly conn: RawConn) {}

  /** Publishes an empty message to the delivery's reply subject (an ack, or a flow-control answer). */
  replyEmpty(m: MsgView): void {
    const n = m.replyEnd - m.replyStart;
    const out = Buffer.allocUnsafe(PUB.length + n + EMPTY.length);
    PUB.copy(out, 0);
    m.buf.copy(out, PUB.length, m.replyStart, m.replyEnd);
    EMPTY.copy(out, PUB.length + n);
    this.parts.push(out);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.parts.length === 0) return;
    const data = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    this.conn.write(data);
  }
}

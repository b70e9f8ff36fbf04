// Answers to JetStream deliveries: acks and flow-control replies, `PUB <reply> 0` built from the
// delivery's reply bytes, gathered while one read is handled and written together (one socket write per
// read, not one per message). Responders build their answers the same way.
import type { RawConn } from "../wire/conn.js";
import type { MsgView } from "../wire/frames.js";

const PUB = Buffer.from("PUB ");
const EMPTY = Buffer.from(" 0\r\n\r\n");

/** `PUB <the message's reply subject><tail>`: `tail` holds the size, CRLF, the payload and CRLF. */
export function replyFrame(m: MsgView, tail: Buffer): Buffer {
  const n = m.replyEnd - m.replyStart;
  const out = Buffer.allocUnsafe(PUB.length + n + tail.length);
  PUB.copy(out, 0);
  m.buf.copy(out, PUB.length, m.replyStart, m.replyEnd);
  tail.copy(out, PUB.length + n);
  return out;
}

export class Acker {
  private parts: Buffer[] = [];
  private scheduled = false;

  constructor(private readonly conn: RawConn) {}

  /** Publishes an empty message to the delivery's reply subject (an ack, or a flow-control answer). */
  replyEmpty(m: MsgView): void {
    this.reply(m, EMPTY);
  }

  /** Publishes `tail` (see replyFrame) to the message's reply subject, with the others of this read. */
  reply(m: MsgView, tail: Buffer): void {
    this.parts.push(replyFrame(m, tail));
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

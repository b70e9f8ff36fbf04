// Push receiver: counts a push consumer's deliveries on its deliver subject, acking each unless the
// consumer acks nothing, answering flow-control requests, and marking each stream sequence it saw.
import { RawConn } from "../wire/conn.js";
import { isStatus, statusOf, statusText } from "../wire/frames.js";
import { Acker } from "./acker.js";
import { SeqMarks } from "./seq-marks.js";
import { subscribeAndRun } from "./subscribe.js";
import { type Control, type PushSpec, type RoleResult, wallNow } from "./types.js";

export async function push(spec: PushSpec, ctl: Control): Promise<RoleResult> {
  const conn = await RawConn.open(spec.server, spec.creds, "bench-push");
  const acker = new Acker(conn);
  const marks = new SeqMarks(spec.total);
  let received = 0;
  let errors = 0;
  let note: string | undefined;
  let last = 0;
  conn.handle((m) => {
    if (isStatus(m)) {
      // Flow control (100 with a reply) must be answered; idle heartbeats (100) need nothing.
      const status = statusOf(m);
      if (status === 100 && m.replyStart >= 0) acker.replyEmpty(m);
      else if (status !== 100) {
        errors++;
        note ??= statusText(m);
      }
      return;
    }
    if (ctl.isStopped()) return;
    received++;
    ctl.progress = received;
    last = wallNow();
    if (m.replyStart < 0) return; // no ack subject: nothing to check or ack
    marks.mark(m);
    if (spec.ack) acker.replyEmpty(m);
  });
  const start = await subscribeAndRun(conn, ctl, spec.deliver, spec.queue);
  acker.flush();
  await conn.ping();
  conn.close();
  return { count: received, start, end: last || start, errors, outOfOrder: marks.outOfOrder, seen: [marks.seen], note };
}

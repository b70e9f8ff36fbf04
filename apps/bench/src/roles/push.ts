// Push receiver: counts a push consumer's deliveries on its deliver subject, acking each unless the
// consumer acks nothing, answering flow-control requests, and marking each stream sequence it saw.
import { RawConn } from "../wire/conn.js";
import { ackStreamSeq, statusOf } from "../wire/frames.js";
import { Acker } from "./acker.js";
import { type Control, type PushSpec, type RoleResult, wallNow } from "./types.js";

export async function push(spec: PushSpec, ctl: Control): Promise<RoleResult> {
  const conn = await RawConn.open(spec.server, spec.creds, "bench-push");
  const acker = new Acker(conn);
  const seen = new Uint8Array(spec.total + 1);
  let received = 0;
  let outOfOrder = 0;
  let lastSeq = 0;
  let last = 0;
  conn.handle((m) => {
    if (m.headerBytes > 0 && statusOf(m) === 100) {
      // Idle heartbeat (no reply) or flow control (reply): the latter must be answered.
      if (m.replyStart >= 0) acker.replyEmpty(m);
      return;
    }
    if (ctl.isStopped()) return;
    received++;
    ctl.progress = received;
    last = wallNow();
    if (m.replyStart < 0) return; // ack none and no reply: nothing to check
    const seq = ackStreamSeq(m.buf, m.replyStart, m.replyEnd);
    if (seq > 0 && seq < seen.length) seen[seq] = Math.min(255, seen[seq] + 1);
    if (seq < lastSeq) outOfOrder++;
    lastSeq = seq;
    if (spec.ack) acker.replyEmpty(m);
  });
  await conn.send(spec.queue === undefined ? `SUB ${spec.deliver} 1\r\n` : `SUB ${spec.deliver} ${spec.queue} 1\r\n`);
  await conn.ping();
  ctl.ready();
  await ctl.started;
  const start = wallNow();
  await Promise.race([ctl.stopped, conn.failed()]);
  acker.flush();
  await conn.ping();
  conn.close();
  return { count: received, start, end: last || start, errors: 0, outOfOrder, seen: [seen] };
}

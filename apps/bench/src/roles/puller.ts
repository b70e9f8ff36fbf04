// Puller: reads a durable through MSG.NEXT requests of `batch` messages (two outstanding), acking every
// message unless told not to, and marking each stream sequence it saw for the exactly-once check.
// Deliveries show the stream's subject, so they are counted against the oldest open request (the server
// fills requests in arrival order); statuses show the request's own reply subject, so a 408/409 ends
// exactly that request.
import { RawConn } from "../wire/conn.js";
import { lastTokenNumber, statusOf, statusText } from "../wire/frames.js";
import { Acker } from "./acker.js";
import { SeqMarks } from "./seq-marks.js";
import { type Control, type PullerSpec, type RoleResult, wallNow } from "./types.js";

const OUTSTANDING = 2;
const EXPIRES_NS = 5_000_000_000;

export async function puller(spec: PullerSpec, ctl: Control): Promise<RoleResult> {
  const conn = await RawConn.open(spec.server, spec.creds, "bench-puller");
  const acker = new Acker(conn);
  const inbox = `_INBOX.pull${Math.floor(Math.random() * 1e9)}`;
  const next = `${spec.api}.CONSUMER.MSG.NEXT.${spec.stream}.${spec.consumer}`;
  const body = JSON.stringify({ batch: spec.batch, expires: EXPIRES_NS });
  const marks = new SeqMarks(spec.total);
  /** Open requests, oldest first: their ids and the messages each may still bring. */
  const open: Array<{ id: number; left: number }> = [];
  let requests = 0;
  let received = 0;
  let errors = 0;
  let last = 0;
  let note: string | undefined;

  const request = () => {
    if (ctl.isStopped()) return;
    const id = requests++;
    open.push({ id, left: spec.batch });
    conn.write(`PUB ${next} ${inbox}.${id} ${body.length}\r\n${body}\r\n`);
  };
  const finish = (id: number) => {
    const i = open.findIndex((r) => r.id === id);
    if (i < 0) return;
    open.splice(i, 1);
    request();
  };

  conn.handle((m) => {
    if (m.replyStart < 0) {
      const id = lastTokenNumber(m);
      // A status: 408 (expired), 409 (terminated or limits), 404/100 otherwise.
      const status = statusOf(m);
      if (status === 408 || status === 409 || status === 404) finish(id);
      else if (status >= 400) {
        errors++;
        note ??= statusText(m);
      }
      return;
    }
    if (ctl.isStopped()) return;
    received++;
    ctl.progress = received;
    last = wallNow();
    marks.mark(m);
    if (spec.ack) acker.replyEmpty(m);
    const oldest = open[0];
    if (oldest !== undefined && --oldest.left <= 0) finish(oldest.id);
  });
  await conn.send(`SUB ${inbox}.* 1\r\n`);
  await conn.ping();
  ctl.ready();
  await ctl.started;
  const start = wallNow();
  for (let i = 0; i < OUTSTANDING; i++) request();
  await Promise.race([ctl.stopped, conn.failure()]);
  acker.flush();
  await conn.ping();
  conn.close();
  return { count: received, start, end: last || start, errors, outOfOrder: marks.outOfOrder, seen: [marks.seen], note };
}

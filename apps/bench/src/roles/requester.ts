// Requester: `count` requests with at most `window` outstanding, each timed from its write to its
// answer. Answers come back on `<inbox>.<n>`, so any order of answers is matched to its request.
// Status answers (503 no responders, 404 not found) count as errors.
import { RawConn } from "../wire/conn.js";
import { lastTokenNumber, statusOf } from "../wire/frames.js";
import { type Control, type RequesterSpec, type RoleResult, wallNow } from "./types.js";
import { watchdog } from "./watchdog.js";

const CRLF = Buffer.from("\r\n");

export async function requester(spec: RequesterSpec, ctl: Control): Promise<RoleResult> {
  if (!(spec.window >= 1)) throw new Error(`requester window must be at least 1 (got ${spec.window})`);
  const conn = await RawConn.open(spec.server, spec.creds, "bench-requester");
  const sentAt = new Float64Array(spec.count);
  const latencies = new Float64Array(spec.count);
  const payload = Buffer.alloc(spec.size, 0x71);
  const heads = spec.subjects.map((s) => `PUB ${s} ${spec.inbox}.`);
  const sizeTail = ` ${spec.size}\r\n`;
  let answered = 0;
  let errors = 0;
  let note: string | undefined;
  let wake: (() => void) | undefined;
  const answers = () => conn.guard(new Promise<void>((r) => (wake = r)));
  conn.handle((m) => {
    const id = lastTokenNumber(m);
    if (id < spec.count && latencies[id] === 0) {
      latencies[id] = (performance.now() - sentAt[id]) * 1000 || 0.001;
      answered++;
      ctl.progress = answered;
    }
    const status = statusOf(m);
    if (status >= 300) {
      errors++;
      note ??= `status ${status}`;
    }
    if (wake !== undefined) {
      const w = wake;
      wake = undefined;
      w();
    }
  });
  await conn.send(`SUB ${spec.inbox}.* 1\r\n`);
  await conn.ping();
  ctl.ready();
  await ctl.started;
  const start = wallNow();
  let sent = 0;
  const stop = watchdog(conn, ctl, spec.stallMs, () => `${answered} of ${sent} requests answered`);
  try {
    while (sent < spec.count) {
      const room = Math.min(spec.window - (sent - answered), spec.count - sent);
      if (room <= 0) {
        await answers();
        continue;
      }
      const parts: Buffer[] = [];
      for (let i = 0; i < room; i++, sent++) {
        parts.push(Buffer.from(`${heads[sent % heads.length]}${sent}${sizeTail}`, "latin1"), payload, CRLF);
        sentAt[sent] = performance.now();
      }
      conn.write(Buffer.concat(parts));
    }
    while (answered < sent) await answers();
  } finally {
    stop();
  }
  const end = wallNow();
  conn.close();
  return { count: answered, start, end, errors, outOfOrder: 0, latencies, note };
}

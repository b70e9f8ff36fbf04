// Responder: answers every request with a payload of the configured size, until stopped; the answers of
// one read go out in one write.
import { RawConn } from "../wire/conn.js";
import { Acker } from "./acker.js";
import { subscribeAndRun } from "./subscribe.js";
import { type Control, type ResponderSpec, type RoleResult, wallNow } from "./types.js";

export async function responder(spec: ResponderSpec, ctl: Control): Promise<RoleResult> {
  const conn = await RawConn.open(spec.server, spec.creds, "bench-responder");
  const answers = new Acker(conn);
  const tail = Buffer.concat([Buffer.from(` ${spec.size}\r\n`), Buffer.alloc(spec.size, 0x62), Buffer.from("\r\n")]);
  let count = 0;
  let errors = 0;
  conn.handle((m) => {
    if (m.replyStart < 0) {
      errors++;
      return;
    }
    count++;
    ctl.progress = count;
    answers.reply(m, tail);
  });
  const start = await subscribeAndRun(conn, ctl, spec.subject, spec.queue);
  answers.flush();
  conn.close();
  return { count, start, end: wallNow(), errors, outOfOrder: 0 };
}

// Responder: answers every request with a payload of the configured size, until stopped.
import { RawConn } from "../wire/conn.js";
import { type Control, type ResponderSpec, type RoleResult, wallNow } from "./types.js";

export async function responder(spec: ResponderSpec, ctl: Control): Promise<RoleResult> {
  const conn = await RawConn.open(spec.server, spec.creds, "bench-responder");
  const tail = Buffer.concat([Buffer.from(` ${spec.size}\r\n`), Buffer.alloc(spec.size, 0x62), Buffer.from("\r\n")]);
  const pubHead = Buffer.from("PUB ");
  let count = 0;
  let errors = 0;
  conn.handle((m) => {
    if (m.replyStart < 0) {
      errors++;
      return;
    }
    count++;
    ctl.progress = count;
    // PUB <reply> <size>\r\n<payload>\r\n, built from the reply's bytes without a string.
    const out = Buffer.allocUnsafe(pubHead.length + (m.replyEnd - m.replyStart) + tail.length);
    pubHead.copy(out, 0);
    m.buf.copy(out, pubHead.length, m.replyStart, m.replyEnd);
    tail.copy(out, pubHead.length + (m.replyEnd - m.replyStart));
    conn.write(out);
  });
  await conn.send(spec.queue === undefined ? `SUB ${spec.subject} 1\r\n` : `SUB ${spec.subject} ${spec.queue} 1\r\n`);
  await conn.ping();
  ctl.ready();
  await ctl.started;
  const start = wallNow();
  await Promise.race([ctl.stopped, conn.failed()]);
  conn.close();
  return { count, start, end: wallNow(), errors, outOfOrder: 0 };
}

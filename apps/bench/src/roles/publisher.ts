// Publisher: stamped messages in pre-encoded blocks. Without a reply subject it writes as fast as the
// socket drains and ends with a PING round trip (the server has read everything); with one, it keeps at
// most `window` messages unanswered and counts the answers, telling PubAck errors apart.
import { RawConn } from "../wire/conn.js";
import { isStatus } from "../wire/frames.js";
import { PubBlock } from "../wire/stamped.js";
import { type Control, type PublisherSpec, type RoleResult, wallNow } from "./types.js";
import { watchdog } from "./watchdog.js";

const BLOCK = 64;
/** `{"error"` — nats-server's API errors start so; a PubAck starts `{"stream"`. */
const ERROR_KEY = Buffer.from('{"error"');

export async function publisher(spec: PublisherSpec, ctl: Control): Promise<RoleResult> {
  const conn = await RawConn.open(spec.server, spec.creds, `bench-pub-${spec.pub}`);
  const window = spec.reply === undefined ? 0 : Math.max(1, spec.window ?? 1);
  const perBlock = window > 0 ? Math.min(BLOCK, window) : BLOCK;
  // Enough blocks to cycle through every subject; most runs have one subject and so one block.
  const first = spec.firstSubject ?? 0;
  const blocks: PubBlock[] = [];
  for (let at = 0; at === 0 || at < spec.subjects.length; at += perBlock) {
    blocks.push(new PubBlock(spec.subjects, spec.size, perBlock, spec.pub, spec.reply, first + at));
  }
  let answered = 0;
  let errors = 0;
  let note: string | undefined;
  let wake: (() => void) | undefined;
  const answers = () => conn.guard(new Promise<void>((r) => (wake = r)));
  if (spec.reply !== undefined) {
    conn.handle((m) => {
      answered++;
      // A status (503: no stream listens) or an API error instead of a PubAck.
      const body = m.payloadStart + m.headerBytes;
      const apiError = m.payloadEnd - body >= ERROR_KEY.length && m.buf.compare(ERROR_KEY, 0, ERROR_KEY.length, body, body + ERROR_KEY.length) === 0;
      if (isStatus(m) || apiError) {
        errors++;
        note ??= m.buf.toString("utf8", m.payloadStart, Math.min(m.payloadEnd, m.payloadStart + 300));
      }
      ctl.progress = answered;
      if (wake !== undefined) {
        const w = wake;
        wake = undefined;
        w();
      }
    });
    await conn.send(`SUB ${spec.reply}.* 1\r\n`);
  }
  await conn.ping();
  ctl.ready();
  await ctl.started;
  const start = wallNow();
  let sent = 0;
  const stop = watchdog(conn, ctl, spec.stallMs, () => `${answered} of ${sent} publishes answered`);
  try {
    while (sent < spec.count) {
      const n = Math.min(perBlock, spec.count - sent);
      while (window > 0 && sent + n - answered > window) await answers();
      const data = blocks[Math.floor(sent / perBlock) % blocks.length].stamped(sent, n);
      sent += n;
      if (window === 0) ctl.progress = sent;
      await conn.send(data);
    }
    while (window > 0 && answered < sent) await answers();
    await conn.ping();
  } finally {
    stop();
  }
  const end = wallNow();
  conn.close();
  return { count: sent, start, end, errors, outOfOrder: 0, note };
}

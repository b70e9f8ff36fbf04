// Publisher: stamped messages in pre-encoded blocks. Without a reply subject it writes as fast as the
// socket drains and ends with a PING round trip (the server has read everything); with one, it keeps at
// most `window` messages unanswered and counts the answers, telling PubAck errors apart.
import { RawConn } from "../wire/conn.js";
import { PubBlock } from "../wire/stamped.js";
import { type Control, type PublisherSpec, type RoleResult, wallNow } from "./types.js";

const BLOCK = 64;

export async function publisher(spec: PublisherSpec, ctl: Control): Promise<RoleResult> {
  const conn = await RawConn.open(spec.server, spec.creds, `bench-pub-${spec.pub}`);
  const window = spec.reply === undefined ? 0 : Math.max(1, spec.window ?? 1);
  const perBlock = window > 0 ? Math.min(BLOCK, window) : BLOCK;
  // Enough blocks to cycle through every subject; most runs have one subject and so one block.
  const blocks: PubBlock[] = [];
  for (let first = 0; first === 0 || first < spec.subjects.length; first += perBlock) {
    blocks.push(new PubBlock(spec.subjects, spec.size, perBlock, spec.pub, spec.reply, first));
  }
  let answered = 0;
  let errors = 0;
  let note: string | undefined;
  let wake: (() => void) | undefined;
  if (spec.reply !== undefined) {
    conn.handle((m) => {
      answered++;
      // A PubAck is {"stream":...}; an API error is {"error":...}; a status (503) has headers only.
      if (m.headerBytes > 0 || m.buf[m.payloadStart + 2] === 0x65 /* e */) {
        errors++;
        note ??= m.buf.toString("utf8", m.payloadStart, m.payloadEnd);
      }
      ctl.progress = answered;
      if (wake !== undefined) {
        const w = wake;
        wake = undefined;
        w();
      }
    });
    await conn.send(`SUB ${spec.reply} 1\r\n`);
  }
  await conn.ping();
  ctl.ready();
  await ctl.started;
  const start = wallNow();
  const failed = conn.failed();
  let sent = 0;
  while (sent < spec.count) {
    const n = Math.min(perBlock, spec.count - sent);
    if (window > 0) {
      while (sent + n - answered > window) await Promise.race([new Promise<void>((r) => (wake = r)), failed]);
    }
    const data = blocks[Math.floor(sent / perBlock) % blocks.length].stamped(sent, n);
    sent += n;
    if (window === 0) ctl.progress = sent;
    if (!conn.write(data)) await Promise.race([new Promise<void>((r) => conn.socket.once("drain", () => r())), failed]);
  }
  while (window > 0 && answered < sent) await Promise.race([new Promise<void>((r) => (wake = r)), failed]);
  await conn.ping();
  const end = wallNow();
  conn.close();
  return { count: sent, start, end, errors, outOfOrder: 0, note };
}

import type { OutboundBuffer } from "./outbound.js";

const SP = 0x20;

/**
 * A reply "subject" that is written as an empty token: nats-server's JetStream sends PubAcks, status
 * messages, heartbeats and advisories as `MSG <subject> <sid>  <size>` (two spaces), and so do we. It can
 * never be a real subject (subjects have no spaces).
 */
export const BLANK_REPLY = " ";

/**
 * The start of a MSG/HMSG control line up to the sizes (`MSG <subject> <sid> [reply] `), remembered for the
 * last message written to a connection: consecutive messages to the same subscription on the same subject
 * (the common case) reuse the bytes instead of encoding the strings again. Subjects and sids come from
 * intern tables, so the comparison is nearly always by identity.
 */
export class MsgHeadCache {
  private subject = "";
  private sid = "";
  private reply: string | undefined = undefined;
  private hmsg = false;
  private head: Buffer = Buffer.alloc(0);

  get(subject: string, sid: string, reply: string | undefined, hmsg: boolean): Buffer {
    if (subject === this.subject && sid === this.sid && reply === this.reply && hmsg === this.hmsg) return this.head;
    this.subject = subject;
    this.sid = sid;
    this.reply = reply;
    this.hmsg = hmsg;
    const r = reply === BLANK_REPLY ? " " : reply !== undefined && reply.length > 0 ? `${reply} ` : "";
    this.head = Buffer.from(`${hmsg ? "HMSG" : "MSG"} ${subject} ${sid} ${r}`, "utf8");
    return this.head;
  }
}

/**
 * Appends `MSG <subject> <sid> [reply] <size>\r\n<payload>\r\n`, or the HMSG form when the message has
 * a header block (`headerSize >= 0`; `data` holds header block and payload together, as HPUB sent them).
 */
export function writeMsg(
  out: OutboundBuffer,
  subject: string,
  sid: string,
  reply: string | undefined,
  headerSize: number,
  data: Uint8Array,
  heads?: MsgHeadCache,
): void {
  if (heads !== undefined) {
    out.head(heads.get(subject, sid, reply, headerSize >= 0));
  } else {
    out.ascii(headerSize >= 0 ? "HMSG " : "MSG ");
    out.token(subject);
    out.byte(SP);
    out.token(sid);
    out.byte(SP);
    if (reply === BLANK_REPLY) {
      out.byte(SP);
    } else if (reply !== undefined && reply.length > 0) {
      out.token(reply);
      out.byte(SP);
    }
  }
  if (headerSize >= 0) {
    out.uint(headerSize);
    out.byte(SP);
  }
  out.uint(data.length);
  out.crlf();
  out.bytes(data);
  out.crlf();
}

/** `INFO {...} \r\n` — nats-server puts a space before the CRLF; clients do not care, we match it anyway. */
export function encodeInfo(info: object): Buffer {
  return Buffer.from(`INFO ${JSON.stringify(info)} \r\n`, "utf8");
}

export const PING = Buffer.from("PING\r\n");
export const PONG = Buffer.from("PONG\r\n");
export const OK = Buffer.from("+OK\r\n");

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
 * intern tables, so the comparison is nearly always by identity. A reply subject that differs from the
 * last one (JetStream ack subjects, requesters' inboxes: new for every message) is written after the
 * cached `MSG <subject> <sid> `; only a reply seen twice in a row is built into the cached line.
 */
export class MsgHeadCache {
  private subject = "";
  private sid = "";
  private hmsg = false;
  /** `MSG <subject> <sid> `. */
  private prefix: Buffer = Buffer.alloc(0);
  /** The reply the whole line was built with (`head`), and the reply of the last message. */
  private headReply: string | undefined = undefined;
  private lastReply: string | undefined = undefined;
  private head: Buffer | undefined = undefined;

  /** Makes `prefix` the one of this subject, sid and kind; false when it already was. */
  private select(subject: string, sid: string, hmsg: boolean): boolean {
    if (subject === this.subject && sid === this.sid && hmsg === this.hmsg) return false;
    this.subject = subject;
    this.sid = sid;
    this.hmsg = hmsg;
    this.prefix = Buffer.from(`${hmsg ? "HMSG" : "MSG"} ${subject} ${sid} `, "utf8");
    this.head = undefined;
    this.lastReply = undefined;
    return true;
  }

  /**
   * Writes the line's start for a message whose reply is the encoded bytes `src[start, end)` (a reply read
   * from a shard's batch, never decoded): such replies are unique per message, so they are never cached.
   */
  writeReplyBytes(out: OutboundBuffer, subject: string, sid: string, src: Uint8Array, start: number, end: number, hmsg: boolean): void {
    this.select(subject, sid, hmsg);
    this.lastReply = undefined;
    out.head(this.prefix);
    out.copy(src, start, end);
    out.byte(SP);
  }

  /** Writes the line's start for this message to `out`. */
  write(out: OutboundBuffer, subject: string, sid: string, reply: string | undefined, hmsg: boolean): void {
    if (reply === "") reply = undefined;
    if (!this.select(subject, sid, hmsg) && this.head !== undefined && reply === this.headReply) {
      out.head(this.head);
      return;
    }
    if (reply === this.lastReply && reply !== undefined) {
      // The same reply twice in a row: worth a line of its own.
      this.headReply = reply;
      this.head = Buffer.concat([this.prefix, Buffer.from(reply === BLANK_REPLY ? " " : `${reply} `, "utf8")]);
      out.head(this.head);
      return;
    }
    this.lastReply = reply;
    out.head(this.prefix);
    if (reply === undefined) {
      if (this.head === undefined) {
        this.headReply = reply;
        this.head = this.prefix;
      }
      return;
    }
    if (reply === BLANK_REPLY) {
      out.byte(SP);
      return;
    }
    out.token(reply);
    out.byte(SP);
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
    heads.write(out, subject, sid, reply, headerSize >= 0);
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

/**
 * writeMsg for a message whose reply subject is already encoded: the non-empty bytes `src[start, end)`
 * (not BLANK_REPLY, which is written as an empty token).
 */
export function writeMsgReplyBytes(
  out: OutboundBuffer,
  subject: string,
  sid: string,
  src: Uint8Array,
  start: number,
  end: number,
  headerSize: number,
  data: Uint8Array,
  heads: MsgHeadCache,
): void {
  heads.writeReplyBytes(out, subject, sid, src, start, end, headerSize >= 0);
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

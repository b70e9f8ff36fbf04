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
 * (the common case) reuse the bytes instead of encoding the strings again. Short subjects and sids come
 * from intern tables, so the comparison is nearly always by identity. Nothing is cached for what is seen
 * once: a subject (a requester's inbox a PubAck goes to) is cached when it comes twice in a row, and a
 * reply subject that differs from the last one (JetStream ack subjects, requesters' inboxes: new for every
 * message) is written after the cached `MSG <subject> <sid> `; only a reply seen twice in a row is built
 * into the cached line.
 */
export class MsgHeadCache {
  private subject = "";
  private sid = "";
  private hmsg = false;
  /** `MSG <subject> <sid> `, once the same subject and sid came twice in a row (undefined until then). */
  private prefix: Buffer | undefined = undefined;
  /** The reply the whole line was built with (`head`), and the reply of the last message. */
  private headReply: string | undefined = undefined;
  private lastReply: string | undefined = undefined;
  private head: Buffer | undefined = undefined;

  /** Makes this subject, sid and kind the current ones; true when they were not already. */
  private select(subject: string, sid: string, hmsg: boolean): boolean {
    if (subject === this.subject && sid === this.sid && hmsg === this.hmsg) return false;
    this.subject = subject;
    this.sid = sid;
    this.hmsg = hmsg;
    this.prefix = undefined;
    this.head = undefined;
    this.lastReply = undefined;
    return true;
  }

  private buildPrefix(): Buffer {
    this.prefix = Buffer.from(`${this.hmsg ? "HMSG" : "MSG"} ${this.subject} ${this.sid} `, "utf8");
    return this.prefix;
  }

  /**
   * `MSG <subject> <sid> `: from the cached prefix, or built for it when the subject repeats; a subject seen
   * for the first time (`fresh`: a requester's inbox, new for every PubAck) is written piece by piece.
   */
  private writePrefix(out: OutboundBuffer, fresh: boolean): void {
    if (this.prefix !== undefined) return out.head(this.prefix);
    if (!fresh) return out.head(this.buildPrefix());
    out.ascii(this.hmsg ? "HMSG " : "MSG ");
    out.token(this.subject);
    out.byte(SP);
    out.token(this.sid);
    out.byte(SP);
  }

  /**
   * Writes the line's start for a message whose reply is the encoded bytes `src[start, end)` (a reply read
   * from a shard's batch, never decoded): such replies are unique per message, so they are never cached.
   */
  writeReplyBytes(out: OutboundBuffer, subject: string, sid: string, src: Uint8Array, start: number, end: number, hmsg: boolean): void {
    const fresh = this.select(subject, sid, hmsg);
    this.lastReply = undefined;
    this.writePrefix(out, fresh);
    out.copy(src, start, end);
    out.byte(SP);
  }

  /** Writes the line's start for this message to `out`. */
  write(out: OutboundBuffer, subject: string, sid: string, reply: string | undefined, hmsg: boolean): void {
    if (reply === "") reply = undefined;
    const fresh = this.select(subject, sid, hmsg);
    if (!fresh && this.head !== undefined && reply === this.headReply) {
      out.head(this.head);
      return;
    }
    if (reply === this.lastReply && reply !== undefined) {
      // The same reply twice in a row (so the same subject too): worth a line of its own.
      this.headReply = reply;
      this.head = Buffer.concat([this.prefix ?? this.buildPrefix(), Buffer.from(reply === BLANK_REPLY ? " " : `${reply} `, "utf8")]);
      out.head(this.head);
      return;
    }
    this.lastReply = reply;
    this.writePrefix(out, fresh);
    if (reply === undefined) {
      if (this.head === undefined && this.prefix !== undefined) {
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
  writeSizesAndPayload(out, headerSize, data);
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
  writeSizesAndPayload(out, headerSize, data);
}

/** The end of a MSG/HMSG: `[<header size> ]<total size>\r\n<header block and payload>\r\n`. */
function writeSizesAndPayload(out: OutboundBuffer, headerSize: number, data: Uint8Array): void {
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

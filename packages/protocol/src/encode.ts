import type { OutboundBuffer } from "./outbound.js";

const SP = 0x20;

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
): void {
  out.ascii(headerSize >= 0 ? "HMSG " : "MSG ");
  out.token(subject);
  out.byte(SP);
  out.token(sid);
  out.byte(SP);
  if (reply !== undefined && reply.length > 0) {
    out.token(reply);
    out.byte(SP);
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

import { randomInt } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Six random base62 characters, the token form of nats-server's `_R_.<6>.<6>` response subjects. */
export function randomToken(): string {
  let s = "";
  for (let i = 0; i < 6; i++) s += BASE62[randomInt(62)];
  return s;
}

const CRLF2 = Buffer.from("\r\n\r\n");

/**
 * The message with one more header, appended after its own (as nats-server adds `Nats-Request-Info`);
 * a message without headers gets a header block of its own.
 */
export function addHeader(headerSize: number, data: Uint8Array, key: string, value: string): { headerSize: number; data: Uint8Array } {
  const line = Buffer.from(`${key}: ${value}\r\n`, "utf8");
  if (headerSize < 0) {
    const block = Buffer.concat([Buffer.from("NATS/1.0\r\n"), line, Buffer.from("\r\n")]);
    return { headerSize: block.length, data: Buffer.concat([block, data]) };
  }
  // The block ends with an empty line; the new header goes just before it.
  const end = headerSize - 2;
  const head = Buffer.from(data.buffer, data.byteOffset, end);
  if (end < 2 || !Buffer.from(data.buffer, data.byteOffset + end - 2, 4).equals(CRLF2)) {
    return { headerSize, data }; // not a well-formed block: leave it alone
  }
  const rest = Buffer.from(data.buffer, data.byteOffset + end, data.length - end);
  return { headerSize: headerSize + line.length, data: Buffer.concat([head, line, rest]) };
}

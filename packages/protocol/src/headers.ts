/**
 * The NATS header block that leads an HPUB/HMSG payload:
 *   NATS/1.0[ <status>[ <description>]]\r\n(<Key>: <value>\r\n)*\r\n
 * Keys are kept as written (nats-server looks them up byte for byte); a key may repeat.
 */

const PREFIX = "NATS/1.0";

export interface HeaderBlock {
  /** The status code on the first line (e.g. 503), or 0 when there is none. */
  status: number;
  description: string;
  /** Header fields in order of appearance; repeated keys keep every value. */
  fields: Array<[string, string]>;
}

export class HeaderError extends Error {}

export function decodeHeaders(block: Uint8Array): HeaderBlock {
  const text = Buffer.from(block.buffer, block.byteOffset, block.byteLength).toString("utf8");
  if (!text.startsWith(PREFIX)) throw new HeaderError("header block does not start with NATS/1.0");
  let lineEnd = text.indexOf("\r\n");
  if (lineEnd < 0) throw new HeaderError("header block without CRLF");
  const first = text.slice(PREFIX.length, lineEnd).trim();
  let status = 0;
  let description = "";
  if (first.length > 0) {
    const sp = first.indexOf(" ");
    const code = sp < 0 ? first : first.slice(0, sp);
    status = Number.parseInt(code, 10);
    if (!Number.isInteger(status) || code.length !== 3) throw new HeaderError(`bad status "${code}"`);
    description = sp < 0 ? "" : first.slice(sp + 1).trim();
  }
  const fields: Array<[string, string]> = [];
  let pos = lineEnd + 2;
  while (pos < text.length) {
    lineEnd = text.indexOf("\r\n", pos);
    if (lineEnd < 0) lineEnd = text.length;
    if (lineEnd === pos) break; // the blank line that ends the block
    const line = text.slice(pos, lineEnd);
    const colon = line.indexOf(":");
    if (colon <= 0) throw new HeaderError(`bad header line "${line}"`);
    fields.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
    pos = lineEnd + 2;
  }
  return { status, description, fields };
}

export function encodeHeaders(h: Partial<HeaderBlock>): Buffer {
  let s = PREFIX;
  if (h.status) {
    s += ` ${h.status}`;
    if (h.description) s += ` ${h.description}`;
  }
  s += "\r\n";
  for (const [k, v] of h.fields ?? []) s += `${k}: ${v}\r\n`;
  s += "\r\n";
  return Buffer.from(s, "utf8");
}

/** The first value of header `key` (exact, case-sensitive match as nats-server does), without decoding all. */
export function headerValue(block: Uint8Array, key: string): string | undefined {
  const h = decodeHeaders(block);
  for (const [k, v] of h.fields) if (k === key) return v;
  return undefined;
}

/** The header block of a no-responders status message, as nats-server sends it: `NATS/1.0 503\r\n\r\n`. */
export const NO_RESPONDERS_HEADER = encodeHeaders({ status: 503 });

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

const CRLF2 = Buffer.from("\r\n\r\n");

/**
 * A message (`data`: header block then payload, the block `headerSize` bytes long, -1 for none) with one
 * more header, appended after its own (as nats-server adds `Nats-Request-Info`); a message without headers
 * gets a header block of its own.
 */
export function addHeader(headerSize: number, data: Uint8Array, key: string, value: string): { headerSize: number; data: Uint8Array } {
  return addHeaderLine(headerSize, data, headerLine(key, value));
}

/** `key: value\r\n`, for addHeaderLine (a caller adding the same header to many messages keeps it). */
export function headerLine(key: string, value: string): Buffer {
  return Buffer.from(`${key}: ${value}\r\n`, "utf8");
}

const BLOCK_START = Buffer.from("NATS/1.0\r\n");

/** addHeader with the header's line already encoded: one allocation and three copies per message. */
export function addHeaderLine(headerSize: number, data: Uint8Array, line: Uint8Array): { headerSize: number; data: Uint8Array } {
  if (headerSize < 0) {
    const block = BLOCK_START.length + line.length + 2;
    const out = Buffer.allocUnsafe(block + data.length);
    BLOCK_START.copy(out, 0);
    out.set(line, BLOCK_START.length);
    out[block - 2] = 0x0d;
    out[block - 1] = 0x0a;
    out.set(data, block);
    return { headerSize: block, data: out };
  }
  // The block ends with an empty line; the new header goes just before it.
  const end = headerSize - 2;
  if (end < 2 || !Buffer.from(data.buffer, data.byteOffset + end - 2, 4).equals(CRLF2)) {
    return { headerSize, data }; // not a well-formed block: leave it alone
  }
  const out = Buffer.allocUnsafe(data.length + line.length);
  out.set(data.subarray(0, end), 0);
  out.set(line, end);
  out.set(data.subarray(end), end + line.length);
  return { headerSize: headerSize + line.length, data: out };
}

/** The header a request crossing a service import gets, naming the requesting account (nats-server's ClientInfoHdr). */
export const REQUEST_INFO_HEADER = "Nats-Request-Info";

const EMPTY_BLOCK_LENGTH = "NATS/1.0\r\n\r\n".length;

/**
 * The header block without the first `key: value` line (exact key at the start of a line), as nats-server's
 * removeHeaderIfPresent: the block itself when there is none (the common case costs one byte search),
 * undefined when nothing but the empty block is left.
 */
export function withoutHeader(block: Uint8Array, key: string): Uint8Array | undefined {
  const buf = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  let start = buf.indexOf(key, 1, "latin1");
  while (start > 0 && (buf[start - 1] !== 0x0a || buf[start + key.length] !== 0x3a)) start = buf.indexOf(key, start + 1, "latin1");
  if (start < 0) return block;
  const eol = buf.indexOf("\r\n", start, "latin1");
  if (eol < 0) return block;
  const cut = eol + 2 - start;
  if (block.length - cut <= EMPTY_BLOCK_LENGTH) return undefined;
  const out = new Uint8Array(block.length - cut);
  out.set(block.subarray(0, start), 0);
  out.set(block.subarray(start + cut), start);
  return out;
}

/** A header block (or none) with one more header: a block of its own when there was none. */
export function withHeader(block: Uint8Array | undefined, key: string, value: string): Uint8Array {
  return addHeader(block?.length ?? -1, block ?? new Uint8Array(0), key, value).data;
}

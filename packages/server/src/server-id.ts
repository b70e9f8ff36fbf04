import { randomBytes } from "node:crypto";

/**
 * Server ids look like nkey server public keys (56 characters starting with "N"), as nats-server's do:
 * base32 (RFC 4648, no padding) of a prefix byte, 32 key bytes and a CRC-16/XMODEM checksum.
 * Clients only compare ids, but tools that decode them find a well-formed key.
 */
const PREFIX_SERVER = 13 << 3; // 'N'
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function crc16(data: Uint8Array): number {
  let crc = 0;
  for (const b of data) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export function base32(data: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of data) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function newServerId(): string {
  const raw = Buffer.alloc(35);
  raw[0] = PREFIX_SERVER;
  randomBytes(32).copy(raw, 1);
  raw.writeUInt16LE(crc16(raw.subarray(0, 33)), 33);
  return base32(raw);
}

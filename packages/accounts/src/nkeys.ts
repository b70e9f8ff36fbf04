/**
 * The nkey text form: base32 (RFC 4648, no padding) of a prefix byte, 32 key bytes and a CRC-16/XMODEM
 * checksum (little-endian). Used to read users' public keys and to mint nkey-style server ids.
 */
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Prefix bytes of the key kinds we meet. */
export const NkeyPrefix = Object.freeze({
  server: 13 << 3, // 'N'
  user: 20 << 3, // 'U'
  account: 0, // 'A'
});

export function crc16(data: Uint8Array): number {
  let crc = 0;
  for (const b of data) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export function base32Encode(data: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of data) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(s: string): Buffer | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (let i = 0; i < s.length; i++) {
    const v = ALPHABET.indexOf(s[i]);
    if (v < 0) return undefined;
    value = ((value << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The text form of a 32-byte key with the given prefix byte. */
export function encodeNkey(prefix: number, key: Uint8Array): string {
  const raw = Buffer.alloc(35);
  raw[0] = prefix;
  raw.set(key.subarray(0, 32), 1);
  raw.writeUInt16LE(crc16(raw.subarray(0, 33)), 33);
  return base32Encode(raw);
}

/** The 32 key bytes of an nkey with the expected prefix, or undefined when it is not one (or its checksum fails). */
export function decodeNkey(nkey: string, prefix: number): Buffer | undefined {
  const raw = base32Decode(nkey);
  if (raw === undefined || raw.length !== 35 || raw[0] !== prefix) return undefined;
  if (crc16(raw.subarray(0, 33)) !== raw.readUInt16LE(33)) return undefined;
  return raw.subarray(1, 33);
}

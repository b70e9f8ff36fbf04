/**
 * Subject keys of the LMDB store's per-subject databases.
 *
 * A subject's key is its UTF-8 bytes when it is 1..1024 bytes long without a NUL byte; otherwise (too long
 * for an LMDB key, or containing NUL, which the index uses as separator) it is 0xFF + SHA-256 of the bytes.
 * UTF-8 never contains 0xFF, so the two forms never collide; a hashed subject's text is kept in its counts
 * entry.
 *
 * - index DB:    subjectKey + 0x00 + seq (8 bytes BE) -> empty. One subject's entries are contiguous and in
 *                sequence order: [subjectKey+0x00, subjectKey+0x01) is exactly that subject.
 * - subjects DB: subjectKey -> count (f64 LE) [+ subject UTF-8 when the key is hashed].
 */
import { createHash } from "node:crypto";
import { seqKey } from "./lmdb-codec.js";

const MAX_RAW_SUBJECT_KEY = 1024;
const HASHED = 0xff;

export function subjectKey(subject: string): Buffer {
  const raw = Buffer.from(subject, "utf8");
  if (raw.length > 0 && raw.length <= MAX_RAW_SUBJECT_KEY && raw.indexOf(0) < 0) return raw;
  const key = Buffer.allocUnsafe(33);
  key[0] = HASHED;
  createHash("sha256").update(raw).digest().copy(key, 1);
  return key;
}

/** The index key of one message: subjectKey + 0x00 + seq. */
export function indexKey(sk: Buffer, seq: number): Buffer {
  const key = Buffer.allocUnsafe(sk.length + 9);
  sk.copy(key, 0);
  key[sk.length] = 0;
  return seqKey(seq, key, sk.length + 1);
}

/** Just past a subject's last index entry (subjectKey + 0x01). */
export function indexEnd(sk: Buffer): Buffer {
  const key = Buffer.allocUnsafe(sk.length + 1);
  sk.copy(key, 0);
  key[sk.length] = 1;
  return key;
}

/** Just before a subject's first index entry (subjectKey + 0x00). */
export function indexStart(sk: Buffer): Buffer {
  const key = Buffer.allocUnsafe(sk.length + 1);
  sk.copy(key, 0);
  key[sk.length] = 0;
  return key;
}

export function encodeCount(count: number, subject: string, sk: Buffer): Buffer {
  const hashed = sk[0] === HASHED;
  const slen = hashed ? Buffer.byteLength(subject) : 0;
  const value = Buffer.allocUnsafe(8 + slen);
  value.writeDoubleLE(count, 0);
  if (hashed) value.write(subject, 8, slen, "utf8");
  return value;
}

export function decodeCount(value: Uint8Array): number {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).readDoubleLE(0);
}

/** The subject of a subjects-DB entry. */
export function countEntrySubject(key: Uint8Array, value: Uint8Array): string {
  if (key[0] === HASHED) return Buffer.from(value.buffer, value.byteOffset + 8, value.byteLength - 8).toString("utf8");
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("utf8");
}

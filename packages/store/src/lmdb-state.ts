/**
 * A file stream's persisted counters, one 40-byte value per incarnation in the account's `_state` DB,
 * written in the same transaction as the messages they describe:
 *   [0,8) messages f64 LE · [8,16) bytes f64 LE · [16,24) lastSeq f64 LE · [24,32) lastTime i64 LE ·
 *   [32,40) numSubjects f64 LE
 * firstSeq is not stored: it is the first key of the messages DB (one cursor seek at open).
 */
export interface PersistedState {
  messages: number;
  bytes: number;
  lastSeq: number;
  lastTime: bigint;
  numSubjects: number;
}

export function encodeState(s: PersistedState): Buffer {
  const b = Buffer.allocUnsafe(40);
  b.writeDoubleLE(s.messages, 0);
  b.writeDoubleLE(s.bytes, 8);
  b.writeDoubleLE(s.lastSeq, 16);
  b.writeBigInt64LE(s.lastTime, 24);
  b.writeDoubleLE(s.numSubjects, 32);
  return b;
}

export function decodeState(v: Uint8Array): PersistedState {
  const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return {
    messages: b.readDoubleLE(0),
    bytes: b.readDoubleLE(8),
    lastSeq: b.readDoubleLE(16),
    lastTime: b.readBigInt64LE(24),
    numSubjects: b.readDoubleLE(32),
  };
}

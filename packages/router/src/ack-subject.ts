/**
 * A JetStream ack subject read straight from a batch's bytes:
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`. A consumer's every delivery is
 * acked on a subject of its own, so making a string of each (and cutting it up again) cost the shard more
 * than the ack itself; here only the stream and consumer names become strings, interned like the batch's.
 */
import { decodeInterned } from "./codec.js";

const PREFIX = Buffer.from("$JS.ACK.", "latin1");
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
/** Tokens after the prefix: stream, consumer, delivered, sseq, cseq, ts, pending. */
const TOKENS = 7;
const SSEQ = 3;

/**
 * Whether a client's publish is on a JetStream ack subject. The front-end does not keep such publishes for
 * the shard's answer, and the shard never refers to them (Out.MsgRef): whoever receives an ack gets a copy
 * (Out.Msg). Acks are nearly always applied by the shard and delivered to nobody, and keeping every one
 * until the answer came made them live long enough to be promoted, by the thousands.
 */
export function isAckSubject(subject: string): boolean {
  return subject.length > 8 && subject.charCodeAt(0) === 0x24 && subject.startsWith("$JS.ACK.");
}

export interface AckTarget {
  stream: string;
  consumer: string;
  sseq: number;
}

/**
 * The stream and consumer tokens of the last ack parsed, with both their dots (`<stream>.<consumer>.`):
 * a run of acks nearly always comes from one consumer, and comparing these bytes costs less than decoding
 * (and interning) the two names again.
 */
let lastNames: Buffer = Buffer.alloc(0);
let lastStream = "";
let lastConsumer = "";

/**
 * Parses `buf[start, end)` into `out`. False when it is not an ack subject of exactly nine non-empty
 * tokens with a decimal stream sequence (then the subject takes the ordinary route, which decides).
 */
export function parseAckSubject(buf: Buffer, start: number, end: number, out: AckTarget): boolean {
  const n = PREFIX.length;
  if (end - start <= n) return false;
  for (let i = 0; i < n; i++) if (buf[start + i] !== PREFIX[i]) return false;
  let tokenStart = start + n;
  let token = 0;
  const known = lastNames.length;
  if (known > 0 && end - tokenStart > known && sameBytes(buf, tokenStart, lastNames)) {
    // Tokens hold no dots, so these bytes are exactly the first two tokens.
    out.stream = lastStream;
    out.consumer = lastConsumer;
    tokenStart += known;
    token = 2;
  }
  for (let i = tokenStart; i <= end; i++) {
    if (i < end && buf[i] !== DOT) continue;
    if (i === tokenStart || token === TOKENS) return false;
    if (token === 0) out.stream = decodeInterned(buf, tokenStart, i);
    else if (token === 1) {
      out.consumer = decodeInterned(buf, tokenStart, i);
      if (i < end) remember(buf, start + n, i + 1, out);
    } else if (token === SSEQ) {
      if (i - tokenStart > 15) return false; // beyond exact integers
      let v = 0;
      for (let k = tokenStart; k < i; k++) {
        const c = buf[k];
        if (c < ZERO || c > NINE) return false;
        v = v * 10 + (c - ZERO);
      }
      out.sseq = v;
    }
    token++;
    tokenStart = i + 1;
  }
  return token === TOKENS;
}

function sameBytes(buf: Buffer, at: number, bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

function remember(buf: Buffer, from: number, to: number, out: AckTarget): void {
  lastNames = Buffer.from(buf.subarray(from, to));
  lastStream = out.stream;
  lastConsumer = out.consumer;
}

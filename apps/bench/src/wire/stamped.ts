// Stamped payloads: every benchmark message carries its publisher's id and its sequence in its first
// 8 bytes, so receivers can tell lost, duplicated and reordered messages apart without keeping them.
// Publishers send pre-encoded blocks of PUB frames and only patch the stamps per block.

/** Payloads shorter than this carry no stamp (and their runs make no ordering checks). */
export const STAMP_BYTES = 8;

const CRLF = Buffer.from("\r\n");

/** Digits of the per-message reply token: `<reply>.0000000042` for the 42nd message. */
const REPLY_DIGITS = 10;

/**
 * A block of `count` PUB frames with payloads of `size` bytes; frame i goes to
 * subjects[(first + i) % subjects.length], so a publisher cycling through several blocks covers many keys.
 * With `reply`, each message asks for its answer on a subject of its own, `<reply>.<sequence>`, as the nats
 * clients do for JetStream publishes (a new inbox token per request): servers cannot serve those answers
 * from a cache of repeated subjects.
 */
export class PubBlock {
  private readonly template: Buffer;
  private readonly offsets: number[] = [];
  private readonly replyTokens: number[] = [];
  private readonly frameEnds: number[] = [];

  constructor(
    subjects: readonly string[],
    size: number,
    readonly count: number,
    private readonly pub: number,
    reply?: string,
    first = 0,
  ) {
    const parts: Buffer[] = [];
    let at = 0;
    for (let i = 0; i < count; i++) {
      const subject = subjects[(first + i) % subjects.length];
      const head = Buffer.from(reply === undefined ? `PUB ${subject} ${size}\r\n` : `PUB ${subject} ${reply}.${"0".repeat(REPLY_DIGITS)} ${size}\r\n`, "latin1");
      if (reply !== undefined) this.replyTokens.push(at + 4 + Buffer.byteLength(subject) + 1 + Buffer.byteLength(reply) + 1);
      parts.push(head, Buffer.alloc(size, 0x61), CRLF);
      this.offsets.push(at + head.length);
      at += head.length + size + 2;
      this.frameEnds.push(at);
    }
    this.template = Buffer.concat(parts);
    if (size < STAMP_BYTES) this.offsets.length = 0;
  }

  /** A copy of the block whose frames carry sequences firstSeq, firstSeq+1, ... (only `n` of them). */
  stamped(firstSeq: number, n = this.count): Buffer {
    const bytes = this.frameEnds[n - 1];
    const out = Buffer.allocUnsafe(bytes);
    this.template.copy(out, 0, 0, bytes);
    for (let i = 0; i < this.offsets.length && i < n; i++) {
      out.writeUInt32LE(this.pub, this.offsets[i]);
      out.writeUInt32LE(firstSeq + i, this.offsets[i] + 4);
    }
    for (let i = 0; i < this.replyTokens.length && i < n; i++) {
      let v = firstSeq + i;
      for (let d = this.replyTokens[i] + REPLY_DIGITS - 1; d >= this.replyTokens[i]; d--, v = Math.floor(v / 10)) out[d] = 48 + (v % 10);
    }
    return out;
  }
}

/**
 * Tracks what one receiver got from each publisher: counts, duplicates and, where a scenario promises
 * order (one subscriber, one publisher's messages), messages out of order.
 */
export class StampLedger {
  private readonly next: number[] = [];
  received = 0;
  unstamped = 0;
  outOfOrder = 0;

  constructor(readonly seen?: Uint8Array[]) {}

  add(buf: Buffer, payloadStart: number, payloadEnd: number): void {
    this.received++;
    if (payloadEnd - payloadStart < STAMP_BYTES) {
      this.unstamped++;
      return;
    }
    const pub = buf.readUInt32LE(payloadStart);
    const seq = buf.readUInt32LE(payloadStart + 4);
    const expected = this.next[pub] ?? 0;
    if (seq !== expected) this.outOfOrder++;
    this.next[pub] = seq + 1;
    const seen = this.seen?.[pub];
    if (seen !== undefined && seq < seen.length) seen[seq] = Math.min(255, seen[seq] + 1);
  }
}

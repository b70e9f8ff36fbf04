// A byte-level reader of what a NATS server sends a client: MSG/HMSG frames (handed over as a reused
// view into the read buffer, no strings made unless the caller asks), PING (answered), PONG, +OK, -ERR
// and INFO. A benchmark client must cost the machine far less than the server it measures, so nothing
// here allocates per message: only an unfinished frame at the end of a read is carried over.

const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;

/** One delivered message; valid only during the callback (the buffer is reused). */
export interface MsgView {
  buf: Buffer;
  subjectStart: number;
  subjectEnd: number;
  /** -1 when the message has no reply subject. */
  replyStart: number;
  replyEnd: number;
  /** Header bytes at the start of the payload (0 for MSG). */
  headerBytes: number;
  payloadStart: number;
  payloadEnd: number;
}

export interface FrameEvents {
  msg(m: MsgView): void;
  pong(): void;
  ping(): void;
  info(json: string): void;
  err(text: string): void;
}

export function subjectOf(m: MsgView): string {
  return m.buf.toString("latin1", m.subjectStart, m.subjectEnd);
}

export function replyOf(m: MsgView): string | undefined {
  return m.replyStart < 0 ? undefined : m.buf.toString("latin1", m.replyStart, m.replyEnd);
}

/** The status code of a header-only status message (`NATS/1.0 404 ...`), or 0 when it has none. */
export function statusOf(m: MsgView): number {
  if (m.headerBytes < 12) return 0;
  const b = m.buf;
  const p = m.payloadStart + 9; // after "NATS/1.0 "
  if (b[p - 1] !== SPACE) return 0;
  const d0 = b[p] - 48;
  const d1 = b[p + 1] - 48;
  const d2 = b[p + 2] - 48;
  if (d0 < 0 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return 0;
  return d0 * 100 + d1 * 10 + d2;
}

export class FrameReader {
  private carry: Buffer | undefined;
  private readonly view: MsgView = {
    buf: Buffer.alloc(0),
    subjectStart: 0,
    subjectEnd: 0,
    replyStart: -1,
    replyEnd: -1,
    headerBytes: 0,
    payloadStart: 0,
    payloadEnd: 0,
  };
  /** Argument boundaries of the control line being read: start/end pairs. */
  private readonly args = new Int32Array(12);

  constructor(private readonly on: FrameEvents) {}

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.carry !== undefined) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    let pos = 0;
    const len = buf.length;
    while (pos < len) {
      const eol = buf.indexOf(LF, pos);
      if (eol < 0) break;
      const lineEnd = eol > pos && buf[eol - 1] === CR ? eol - 1 : eol;
      const c0 = buf[pos] | 0x20;
      if (c0 === 0x6d /* m */ || (c0 === 0x68 /* h */ && (buf[pos + 1] | 0x20) === 0x6d)) {
        const hmsg = c0 === 0x68;
        const n = this.split(buf, pos + (hmsg ? 4 : 3), lineEnd);
        const a = this.args;
        const fixed = hmsg ? 4 : 3; // subject sid [reply] [hdr] total
        const total = parseDecimal(buf, a[(n - 1) * 2], a[(n - 1) * 2 + 1]);
        const end = eol + 1 + total + 2;
        if (end > len) break; // the payload has not all arrived
        const v = this.view;
        v.buf = buf;
        v.subjectStart = a[0];
        v.subjectEnd = a[1];
        if (n > fixed) {
          v.replyStart = a[4];
          v.replyEnd = a[5];
        } else {
          v.replyStart = -1;
          v.replyEnd = -1;
        }
        v.headerBytes = hmsg ? parseDecimal(buf, a[(n - 2) * 2], a[(n - 2) * 2 + 1]) : 0;
        v.payloadStart = eol + 1;
        v.payloadEnd = eol + 1 + total;
        this.on.msg(v);
        pos = end;
        continue;
      }
      if (c0 === 0x70 /* p */) {
        if ((buf[pos + 1] | 0x20) === 0x69) this.on.ping();
        else this.on.pong();
      } else if (c0 === 0x2d /* - */) {
        this.on.err(buf.toString("latin1", pos + 5, lineEnd));
      } else if (c0 === 0x69 /* i */) {
        this.on.info(buf.toString("utf8", pos + 5, lineEnd));
      }
      pos = eol + 1;
    }
    if (pos < len) this.carry = Buffer.from(buf.subarray(pos));
  }

  /** Splits the arguments of a control line into `args`; returns how many there are. */
  private split(buf: Buffer, from: number, to: number): number {
    let n = 0;
    let i = from;
    while (i < to && n < 6) {
      while (i < to && (buf[i] === SPACE || buf[i] === TAB)) i++;
      if (i >= to) break;
      const s = i;
      while (i < to && buf[i] !== SPACE && buf[i] !== TAB) i++;
      this.args[n * 2] = s;
      this.args[n * 2 + 1] = i;
      n++;
    }
    return n;
  }
}

/** Parses a decimal number from bytes [from, to). */
export function parseDecimal(buf: Buffer, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (buf[i] - 48);
  return v;
}

/**
 * The stream sequence in a JetStream ack subject: `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>...`
 * (9 tokens) or the newer form with domain and account hash first (12 or more tokens); -1 if not one.
 */
export function ackStreamSeq(buf: Buffer, from: number, to: number): number {
  let dots = 0;
  for (let i = from; i < to; i++) if (buf[i] === 46) dots++;
  const tokens = dots + 1;
  const index = tokens === 9 ? 5 : tokens >= 12 ? 7 : -1;
  if (index < 0) return -1;
  let t = 0;
  let s = from;
  for (let i = from; i <= to; i++) {
    if (i === to || buf[i] === 46) {
      if (t === index) return parseDecimal(buf, s, i);
      t++;
      s = i + 1;
    }
  }
  return -1;
}

// A byte-level reader of what a NATS server sends a client: MSG/HMSG frames (handed over as a reused
// view into the read buffer, no strings made unless the caller asks), PING (answered), PONG, +OK, -ERR
// and INFO. A benchmark client must cost the machine far less than the server it measures, so nothing
// here allocates per message: only an unfinished frame at the end of a read is carried over, and a large
// payload arriving over many reads is gathered once it is complete, not re-copied per read.

const CR = 13;
const LF = 10;
const SPACE = 32;
const TAB = 9;
const DOT = 46;

/** One delivered message; valid only during the callback (the buffer is reused). */
export interface MsgView {
  buf: Buffer;
  subjectStart: number;
  subjectEnd: number;
  /** -1 when the message has no reply subject. */
  replyStart: number;
  replyEnd: number;
  /** Header bytes at the start of the body (0 for MSG). */
  headerBytes: number;
  /** The body: headers (HMSG) then data. */
  payloadStart: number;
  payloadEnd: number;
}

export interface FrameEvents {
  msg(m: MsgView): void;
  pong(): void;
  ping(): void;
  info(json: string): void;
  /** A -ERR from the server, or a line this reader cannot make sense of. */
  err(text: string): void;
}

export function subjectOf(m: MsgView): string {
  return m.buf.toString("latin1", m.subjectStart, m.subjectEnd);
}

export function replyOf(m: MsgView): string | undefined {
  return m.replyStart < 0 ? undefined : m.buf.toString("latin1", m.replyStart, m.replyEnd);
}

/** A header-only message without a reply subject: a status (heartbeat, 404/408/409, 503). */
export function isStatus(m: MsgView): boolean {
  return m.headerBytes > 0 && m.payloadEnd - m.payloadStart === m.headerBytes;
}

/** A status message's header block as text (its status line and headers), for error reports. */
export function statusText(m: MsgView): string {
  return m.buf.toString("latin1", m.payloadStart, m.payloadStart + m.headerBytes).trim();
}

/** The status code of a message with a status line (`NATS/1.0 404 ...`), or 0 when it has none. */
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

/** The number in the subject's last token (`<inbox>.<n>`): how requests find their answers. */
export function lastTokenNumber(m: MsgView): number {
  let dot = m.subjectEnd - 1;
  while (dot > m.subjectStart && m.buf[dot] !== DOT) dot--;
  return parseDecimal(m.buf, dot + 1, m.subjectEnd);
}

/** Whether bytes at `at` spell `word` (upper case, compared case-insensitively). */
function opIs(buf: Buffer, at: number, end: number, word: string): boolean {
  if (end - at < word.length) return false;
  for (let i = 0; i < word.length; i++) {
    const c = buf[at + i];
    const w = word.charCodeAt(i);
    if (c !== w && (c & 0xdf) !== w) return false; // letters in either case; other bytes exactly
  }
  return true;
}

export class FrameReader {
  /** Bytes of an unfinished frame, gathered until `needed` bytes are there. */
  private carry: Buffer[] = [];
  private carried = 0;
  private needed = 0;
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
    if (this.carried > 0) {
      this.carry.push(chunk);
      this.carried += chunk.length;
      if (this.carried < this.needed) return; // still inside a large payload
      buf = Buffer.concat(this.carry, this.carried);
      this.carry = [];
      this.carried = 0;
    }
    this.needed = 0;
    let pos = 0;
    const len = buf.length;
    while (pos < len) {
      const eol = buf.indexOf(LF, pos);
      if (eol < 0) break;
      const lineEnd = eol > pos && buf[eol - 1] === CR ? eol - 1 : eol;
      const hmsg = opIs(buf, pos, lineEnd, "HMSG ") || opIs(buf, pos, lineEnd, "HMSG\t");
      if (hmsg || opIs(buf, pos, lineEnd, "MSG ") || opIs(buf, pos, lineEnd, "MSG\t")) {
        const n = this.split(buf, pos + (hmsg ? 5 : 4), lineEnd);
        const fixed = hmsg ? 4 : 3; // subject sid [reply] [hdr] total
        if (n < fixed || n > fixed + 1) {
          this.on.err(`malformed line: ${buf.toString("latin1", pos, Math.min(lineEnd, pos + 200))}`);
          pos = eol + 1;
          continue;
        }
        const a = this.args;
        const total = parseDecimal(buf, a[(n - 1) * 2], a[(n - 1) * 2 + 1]);
        const end = eol + 1 + total + 2;
        if (end > len) {
          this.needed = end - pos; // the payload has not all arrived
          break;
        }
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
      if (opIs(buf, pos, lineEnd, "PING")) this.on.ping();
      else if (opIs(buf, pos, lineEnd, "PONG")) this.on.pong();
      else if (opIs(buf, pos, lineEnd, "-ERR")) this.on.err(buf.toString("latin1", pos + 5, lineEnd));
      else if (opIs(buf, pos, lineEnd, "INFO")) this.on.info(buf.toString("utf8", pos + 5, lineEnd));
      else if (lineEnd > pos && !opIs(buf, pos, lineEnd, "+OK")) {
        this.on.err(`unknown line: ${buf.toString("latin1", pos, Math.min(lineEnd, pos + 200))}`);
      }
      pos = eol + 1;
    }
    if (pos < len) {
      this.carry = [Buffer.from(buf.subarray(pos))];
      this.carried = len - pos;
    }
  }

  /** Splits the arguments of a control line into `args`; returns how many there are (at most 6). */
  private split(buf: Buffer, from: number, to: number): number {
    let n = 0;
    let i = from;
    while (i < to) {
      while (i < to && (buf[i] === SPACE || buf[i] === TAB)) i++;
      if (i >= to) break;
      if (n === 6) return 7; // too many: the caller refuses the line
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
 * (9 tokens), or the newer form with domain and account hash first (11 tokens or more, as nats.go reads
 * it); -1 if it is neither.
 */
export function ackStreamSeq(buf: Buffer, from: number, to: number): number {
  let dots = 0;
  for (let i = from; i < to; i++) if (buf[i] === DOT) dots++;
  const tokens = dots + 1;
  const index = tokens === 9 ? 5 : tokens >= 11 ? 7 : -1;
  if (index < 0) return -1;
  let t = 0;
  let s = from;
  for (let i = from; i <= to; i++) {
    if (i === to || buf[i] === DOT) {
      if (t === index) return parseDecimal(buf, s, i);
      t++;
      s = i + 1;
    }
  }
  return -1;
}

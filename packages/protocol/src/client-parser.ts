import "./buffer-fast.js";
import { CR, LF, MAX_FIELDS, SPACE, TAB, ScannedLine, fieldString, parseSize, scanLine, splitFields } from "./args.js";
import { type ClientError, ClientErrors } from "./errors.js";

/** What the parser hands to the connection, one call per complete client op. */
export interface ClientOpHandler {
  connect(json: string): void;
  /**
   * PUB (headerSize -1) or HPUB (headerSize >= 0, `data` = header block + payload). `data` is a view into
   * the socket's read buffer whenever the message arrived in one read, else a buffer of its own; either
   * way the parser never writes into it again, so it may be kept. `subjectValid`: whether the subject is a
   * valid publish subject (nats-server's rules), when the parser found out on its way (the fast path);
   * undefined when it did not look.
   */
  pub(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, subjectValid?: boolean): void;
  sub(subject: string, queue: string | undefined, sid: string): void;
  /** max 0: unsubscribe now; otherwise after `max` messages in all. */
  unsub(sid: string, max: number): void;
  ping(): void;
  pong(): void;
  /** The input is not the protocol. The parser is dead after this call; `detail` is for logs. */
  protocolError(err: ClientError, detail: string): void;
}

export interface ClientParserLimits {
  /** Longest control line (op and args) accepted; nats-server's default is 4 KiB. */
  maxControlLine: number;
  /** Largest PUB/HPUB payload (headers included) accepted. */
  maxPayload: number;
}

// Parser states.
const S_OP = 0; // reading the op word
const S_ARG = 1; // reading the arguments up to CR/LF
const S_ARG_LF = 2; // saw CR after the arguments, need LF
const S_SKIP_LINE = 3; // PING/PONG: ignore anything up to LF, as nats-server does
const S_PAYLOAD = 4; // reading a PUB/HPUB payload
const S_PAYLOAD_CR = 5; // payload complete, need CR
const S_PAYLOAD_LF = 6; // need LF, then the message is dispatched
const S_DEAD = 7; // a protocol error happened or the owner stopped the parser

// Op words are folded into a number while they are read (5 bits per uppercase letter), so a split op
// word needs no buffer and recognition is one comparison.
function opCode(word: string): number {
  let code = 0;
  for (let i = 0; i < word.length; i++) code = code * 32 + (word.charCodeAt(i) - 64);
  return code;
}
const OP_PUB = opCode("PUB");
const OP_HPUB = opCode("HPUB");
const OP_SUB = opCode("SUB");
const OP_UNSUB = opCode("UNSUB");
const OP_PING = opCode("PING");
const OP_PONG = opCode("PONG");
const OP_CONNECT = opCode("CONNECT");
const MAX_OP_LEN = 7;

/**
 * The client-port protocol parser: one state machine over bytes (after nats-server's parser.go). Ops are
 * case-insensitive, arguments are separated by any run of spaces/tabs, and ops may be split at any byte
 * across reads: a partial control line is kept aside, a partial payload is gathered into its own buffer.
 */
export class ClientParser {
  private state = S_OP;
  private op = 0;
  private opLen = 0;

  // The control line being read: either [argStart, i) of the current buffer, or gathered in argBuf
  // when it spans reads.
  private argBuf: Buffer | null = null;
  private argLen = 0;

  // The PUB/HPUB being read.
  private pubSubject = "";
  private pubReply: string | undefined = undefined;
  private pubHeaderSize = -1;
  private pubSubjectValid: boolean | undefined = undefined;
  private pubSize = 0;
  private payload: Buffer | null = null;
  private payloadPos = 0;
  private payloadDone: Uint8Array | null = null;

  private readonly fields = new Int32Array(MAX_FIELDS * 2);
  private readonly line = new ScannedLine();
  /** The current read's ArrayBuffer and offset, for cheap payload views. */
  private ab: ArrayBufferLike = new ArrayBuffer(0);
  private abOffset = 0;
  /** A DataView of the current read, made when a PUB line is first scanned in it (see scanLine). */
  private view: DataView | undefined = undefined;

  constructor(
    private readonly handler: ClientOpHandler,
    private readonly limits: ClientParserLimits,
  ) {}

  /** Stops parsing for good (the connection is closing); the rest of the current buffer is ignored. */
  stop(): void {
    this.state = S_DEAD;
  }

  get stopped(): boolean {
    return this.state === S_DEAD || this.paused;
  }

  /**
   * Holds parsing after the op being dispatched (e.g. while an async check of CONNECT runs): the rest of
   * the current read, and any read until `resume()`, is kept and parsed then, in order.
   */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused || this.state === S_DEAD) return;
    this.paused = false;
    const held = this.held;
    this.held = null;
    if (held !== null) this.parse(held);
  }

  private paused = false;
  private held: Buffer | null = null;

  /** Called where parsing returns early: keeps the unparsed rest of `buf` when the parser was paused. */
  private hold(buf: Buffer, from: number): void {
    if (!this.paused || this.state === S_DEAD || from >= buf.length) return;
    const rest = buf.subarray(from);
    this.held = this.held === null ? Buffer.from(rest) : Buffer.concat([this.held, rest]);
  }

  parse(buf: Buffer): void {
    if (this.paused) return this.hold(buf, 0);
    // `buf.buffer` is a slow getter (tens of ns); read it once per read, not once per message.
    this.ab = buf.buffer;
    this.abOffset = buf.byteOffset;
    this.view = undefined;
    const len = buf.length;
    let i = 0;
    let argStart = 0;
    while (i < len) {
      switch (this.state) {
        case S_OP: {
          const c = buf[i];
          // Fast path for the ops that matter most: a whole PUB/HPUB line in this read, scanned in one pass.
          if (this.opLen === 0 && i + 4 < len) {
            const next = this.fastPub(buf, i, len);
            if (next > 0) {
              i = next;
              if (this.stopped) return this.hold(buf, i);
              break;
            }
          }
          if (c === SPACE || c === TAB || c === CR || c === LF) {
            if (!this.endOpWord(c)) return this.hold(buf, i + 1);
            argStart = i + 1;
          } else {
            const upper = c & 0xdf; // ASCII letters to upper case
            if (upper < 0x41 || upper > 0x5a || this.opLen === MAX_OP_LEN) {
              return this.fail(ClientErrors.unknownOp, "bad op character");
            }
            this.op = this.op * 32 + (upper - 64);
            this.opLen++;
          }
          i++;
          break;
        }
        case S_ARG: {
          while (i < len) {
            const c = buf[i];
            if (c === CR || c === LF) break;
            i++;
          }
          if (i === len) break; // the control line continues in the next read
          if (!this.endArgs(buf, argStart, i)) return;
          if (buf[i] === CR) {
            this.state = S_ARG_LF;
            i++;
          } else {
            i++;
            if (!this.dispatchArgs()) return this.hold(buf, i);
          }
          break;
        }
        case S_ARG_LF:
          if (buf[i] !== LF) return this.fail(ClientErrors.unknownOp, "CR without LF");
          i++;
          if (!this.dispatchArgs()) return this.hold(buf, i);
          break;
        case S_SKIP_LINE:
          if (buf[i] === LF) {
            this.state = S_OP;
            if (this.op === OP_PING) this.handler.ping();
            else this.handler.pong();
            this.op = 0;
            this.opLen = 0;
            if (this.stopped) return this.hold(buf, i + 1);
          }
          i++;
          break;
        case S_PAYLOAD: {
          const avail = len - i;
          if (this.payload === null) {
            const size = this.pubSize;
            if (avail >= size + 2 && buf[i + size] === CR && buf[i + size + 1] === LF) {
              // The whole message is in this read: dispatch a view of it right away.
              const data = new Uint8Array(this.ab, this.abOffset + i, size);
              i += size + 2;
              this.state = S_OP;
              this.handler.pub(this.pubSubject, this.pubReply, this.pubHeaderSize, data, this.pubSubjectValid);
              if (this.stopped) return this.hold(buf, i);
              break;
            }
            if (avail >= this.pubSize) {
              // The whole payload is in this read: hand out a view, copy nothing.
              // A plain Uint8Array view: Buffer#subarray's species construction costs twice as much.
              this.payloadDone = new Uint8Array(this.ab, this.abOffset + i, this.pubSize);
              i += this.pubSize;
              this.state = S_PAYLOAD_CR;
              break;
            }
            this.payload = Buffer.allocUnsafe(this.pubSize);
            this.payloadPos = 0;
          }
          const take = Math.min(this.pubSize - this.payloadPos, avail);
          buf.copy(this.payload, this.payloadPos, i, i + take);
          this.payloadPos += take;
          i += take;
          if (this.payloadPos === this.pubSize) {
            this.payloadDone = this.payload;
            this.payload = null;
            this.state = S_PAYLOAD_CR;
          }
          break;
        }
        case S_PAYLOAD_CR:
          if (buf[i] !== CR) return this.fail(ClientErrors.unknownOp, "payload longer than announced");
          this.state = S_PAYLOAD_LF;
          i++;
          break;
        case S_PAYLOAD_LF: {
          if (buf[i] !== LF) return this.fail(ClientErrors.unknownOp, "payload not followed by CRLF");
          i++;
          this.state = S_OP;
          const data = this.payloadDone!;
          this.payloadDone = null;
          this.handler.pub(this.pubSubject, this.pubReply, this.pubHeaderSize, data, this.pubSubjectValid);
          if (this.stopped) return this.hold(buf, i);
          break;
        }
        default:
          return; // S_DEAD
      }
    }
    // The buffer ended inside a control line: keep the partial line for the next read.
    if (this.state === S_ARG && !this.keepPartialArgs(buf, argStart, len)) return;
  }

  /**
   * PUB/HPUB whose whole control line is in `buf` from `i`: parsed in one pass, and when the payload is
   * there too the message is dispatched at once. Returns the index to continue from, or 0 when this is
   * not such a line (the general path then reads it byte by byte, errors included).
   */
  private fastPub(buf: Buffer, i: number, len: number): number {
    let hdr = false;
    let c = buf[i] | 0x20;
    if (c === 0x68) {
      // 'h'
      hdr = true;
      c = buf[++i] | 0x20;
    }
    if (c !== 0x70 || (buf[i + 1] | 0x20) !== 0x75 || (buf[i + 2] | 0x20) !== 0x62) return 0;
    const sp = buf[i + 3];
    if (sp !== SPACE && sp !== TAB) return 0;
    const line = this.line;
    const view = (this.view ??= new DataView(this.ab, this.abOffset, len));
    const next = scanLine(buf, view, i + 4, len, this.limits.maxControlLine, line);
    if (next < 0) return 0;
    const n = line.count;
    let size: number;
    let headerSize = -1;
    if (hdr) {
      if (n !== 3 && n !== 4) return 0;
      size = line.num[n - 1];
      headerSize = line.num[n - 2];
      if (size < 0 || headerSize < 0 || headerSize > size) return 0;
    } else {
      if (n !== 2 && n !== 3) return 0;
      size = line.num[n - 1];
      if (size < 0) return 0;
    }
    if (size > this.limits.maxPayload) {
      this.fail(ClientErrors.maxPayload, `payload of ${size} bytes over max_payload ${this.limits.maxPayload}`);
      return len;
    }
    const subject = line.subject(buf);
    const reply = n === (hdr ? 4 : 3) ? line.fresh(buf, 1) : undefined;
    if (next + size + 2 <= len && buf[next + size] === CR && buf[next + size + 1] === LF) {
      // A plain Uint8Array view: Buffer#subarray's species construction costs twice as much.
      this.handler.pub(subject, reply, headerSize, new Uint8Array(this.ab, this.abOffset + next, size), line.subjectValid);
      return next + size + 2;
    }
    this.pubSubject = subject;
    this.pubReply = reply;
    this.pubHeaderSize = headerSize;
    this.pubSubjectValid = line.subjectValid;
    this.pubSize = size;
    this.payload = null;
    this.state = S_PAYLOAD;
    return next;
  }

  /** The op word ended at byte `c`. Returns false when the parser died. */
  private endOpWord(c: number): boolean {
    const op = this.op;
    if (op === OP_PING || op === OP_PONG) {
      if (c === LF) {
        this.op = 0;
        this.opLen = 0;
        if (op === OP_PING) this.handler.ping();
        else this.handler.pong();
        return !this.stopped;
      }
      this.state = S_SKIP_LINE;
      return true;
    }
    const takesArgs = op === OP_PUB || op === OP_SUB || op === OP_HPUB || op === OP_UNSUB || op === OP_CONNECT;
    if (!takesArgs || c === CR || c === LF) {
      this.fail(ClientErrors.unknownOp, this.opLen === 0 ? "empty op" : "unknown op or missing arguments");
      return false;
    }
    this.state = S_ARG;
    this.argLen = 0;
    return true;
  }

  private argLimit(): number {
    // CONNECT carries credentials (JWTs, signatures) and is bounded by max_payload instead.
    return this.op === OP_CONNECT ? Math.max(this.limits.maxPayload, this.limits.maxControlLine) : this.limits.maxControlLine;
  }

  private keepPartialArgs(buf: Buffer, start: number, end: number): boolean {
    const n = end - start;
    if (this.argLen + n > this.argLimit()) {
      this.fail(ClientErrors.maxControlLine, `control line over ${this.argLimit()} bytes`);
      return false;
    }
    this.appendArg(buf, start, end);
    return true;
  }

  private appendArg(buf: Buffer, start: number, end: number): void {
    const n = end - start;
    if (n === 0) return;
    const need = this.argLen + n;
    if (this.argBuf === null || this.argBuf.length < need) {
      const grown = Buffer.allocUnsafe(Math.max(need, 256, this.argBuf ? this.argBuf.length * 2 : 0));
      if (this.argBuf !== null) this.argBuf.copy(grown, 0, 0, this.argLen);
      this.argBuf = grown;
    }
    buf.copy(this.argBuf, this.argLen, start, end);
    this.argLen = need;
  }

  // The complete argument bytes, set by endArgs for dispatchArgs.
  private argSrc: Buffer = Buffer.alloc(0);
  private argS = 0;
  private argE = 0;

  /** The control line ended at `end`. Returns false when the parser died. */
  private endArgs(buf: Buffer, start: number, end: number): boolean {
    if (this.argLen > 0) {
      if (this.argLen + (end - start) > this.argLimit()) {
        this.fail(ClientErrors.maxControlLine, `control line over ${this.argLimit()} bytes`);
        return false;
      }
      this.appendArg(buf, start, end);
      this.argSrc = this.argBuf!;
      this.argS = 0;
      this.argE = this.argLen;
      this.argLen = 0;
    } else {
      if (end - start > this.argLimit()) {
        this.fail(ClientErrors.maxControlLine, `control line over ${this.argLimit()} bytes`);
        return false;
      }
      this.argSrc = buf;
      this.argS = start;
      this.argE = end;
    }
    return true;
  }

  /** Acts on a complete control line. Returns false when the parser died. */
  private dispatchArgs(): boolean {
    const buf = this.argSrc;
    const op = this.op;
    this.op = 0;
    this.opLen = 0;
    this.state = S_OP;
    const f = this.fields;
    switch (op) {
      case OP_PUB: {
        const n = splitFields(buf, this.argS, this.argE, f, 3);
        if (n < 2) return this.failArgs("PUB");
        const size = parseSize(buf, f[n * 2 - 2], f[n * 2 - 1]);
        if (size < 0) return this.failArgs("PUB size");
        this.pubSubject = fieldString(buf, f[0], f[1]);
        this.pubReply = n === 3 ? fieldString(buf, f[2], f[3]) : undefined;
        this.pubHeaderSize = -1;
        this.pubSubjectValid = undefined;
        return this.startPayload(size);
      }
      case OP_HPUB: {
        const n = splitFields(buf, this.argS, this.argE, f, 4);
        if (n < 3) return this.failArgs("HPUB");
        const total = parseSize(buf, f[n * 2 - 2], f[n * 2 - 1]);
        const hdr = parseSize(buf, f[n * 2 - 4], f[n * 2 - 3]);
        if (total < 0 || hdr < 0 || hdr > total) return this.failArgs("HPUB sizes");
        this.pubSubject = fieldString(buf, f[0], f[1]);
        this.pubReply = n === 4 ? fieldString(buf, f[2], f[3]) : undefined;
        this.pubHeaderSize = hdr;
        this.pubSubjectValid = undefined;
        return this.startPayload(total);
      }
      case OP_SUB: {
        const n = splitFields(buf, this.argS, this.argE, f, 3);
        if (n < 2) return this.failArgs("SUB");
        const subject = fieldString(buf, f[0], f[1]);
        const queue = n === 3 ? fieldString(buf, f[2], f[3]) : undefined;
        const sid = fieldString(buf, f[n * 2 - 2], f[n * 2 - 1]);
        this.handler.sub(subject, queue, sid);
        return !this.stopped;
      }
      case OP_UNSUB: {
        const n = splitFields(buf, this.argS, this.argE, f, 2);
        if (n < 1) return this.failArgs("UNSUB");
        let max = 0;
        if (n === 2) {
          max = parseSize(buf, f[2], f[3]);
          if (max < 0) return this.failArgs("UNSUB max");
        }
        this.handler.unsub(fieldString(buf, f[0], f[1]), max);
        return !this.stopped;
      }
      case OP_CONNECT: {
        this.handler.connect(buf.toString("utf8", this.argS, this.argE));
        return !this.stopped;
      }
      default:
        this.fail(ClientErrors.unknownOp, "unknown op");
        return false;
    }
  }

  private startPayload(size: number): boolean {
    if (size > this.limits.maxPayload) {
      this.fail(ClientErrors.maxPayload, `payload of ${size} bytes over max_payload ${this.limits.maxPayload}`);
      return false;
    }
    this.pubSize = size;
    this.payload = null;
    this.state = S_PAYLOAD;
    return true;
  }

  private failArgs(what: string): false {
    this.fail(ClientErrors.unknownOp, `malformed ${what} arguments`);
    return false;
  }

  private fail(err: ClientError, detail: string): void {
    this.state = S_DEAD;
    this.argBuf = null;
    this.payload = null;
    this.handler.protocolError(err, detail);
  }
}

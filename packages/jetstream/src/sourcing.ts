import { createHash } from "node:crypto";
import { decodeHeaders, randomBase62 } from "@tsnats/protocol";
import type { ApiError, ConsumerConfig, ExternalStream, StreamSource, StreamSourceInfo } from "./api-types.js";
import { AckPolicy, DeliverPolicy } from "./api-types.js";

/** How often a link checks that its origin still talks to it; three silent intervals mean stalled. */
const HEALTH_INTERVAL_MS = 1000;
/** A new consumer is asked for at most this often. */
const RETRY_THRESHOLD_MS = 2000;
/** How long a consumer create request may go unanswered before it is asked again. */
const CREATE_TIMEOUT_MS = 5000;

const API_PREFIX = "$JS.API";
const EMPTY = new Uint8Array(0);
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** What a link needs from the account it lives in. */
export interface SourceHost {
  publish(subject: string, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array): void;
  subscribe(subject: string, handler: (subject: string, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array) => void): () => void;
  /** A mirror keeps the origin's sequence and time. */
  storeMirrored(seq: number, subject: string, headers: Uint8Array | undefined, data: Uint8Array, time: bigint): void;
  /** A source's message is published into the stream like any other (with its Nats-Stream-Source header). */
  storeSourced(subject: string, headers: Uint8Array | undefined, data: Uint8Array): void;
}

/** nats-server's 8-character hash of a name (an external API prefix, in a source's index name). */
function nameHash(name: string): string {
  const b = createHash("sha256").update(name).digest();
  let s = "";
  for (let i = 0; i < 8; i++) s += BASE62[b[i] % 62];
  return s;
}

/** The name a source is known by in Nats-Stream-Source headers: the stream, plus a hash for an external one. */
export function sourceIndexName(src: StreamSource): string {
  return src.external !== undefined ? `${src.name}:${nameHash(src.external.api)}` : src.name;
}

/** `a.b` + `.c` without doubled dots, as nats-server joins prefixes. */
function join(prefix: string, rest: string): string {
  return `${prefix}${rest}`.replaceAll("..", ".");
}

/**
 * One stream feeding another, as nats-server does it: the receiving stream asks the origin (through the
 * origin's API, possibly another account's under a JS prefix) for a direct push consumer with flow control
 * and heartbeats, delivering to a subject it subscribes to itself. Deliveries are tracked by their ack
 * subjects (origin and delivery sequences): a gap it cannot explain, or three seconds of silence, and it
 * asks for a new consumer starting after the last message it has.
 */
export class SourceLink {
  readonly iname: string;
  /** The last origin sequence received. */
  private sseq: number;
  /** The last delivery sequence of the current consumer. */
  private dseq = 0;
  private cname = "";
  private lag = 0;
  /** When the origin last talked to us (ms), 0 never. */
  private last = 0;
  private err: ApiError | undefined;
  private unsubscribes: Array<() => void> = [];
  private healthTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastRequest = 0;
  private stopped = false;

  constructor(
    readonly source: StreamSource,
    private readonly mirror: boolean,
    private readonly host: SourceHost,
    /** The last origin sequence the stream already holds (from its stored messages). */
    lastSeq: number,
  ) {
    this.iname = sourceIndexName(source);
    this.sseq = lastSeq;
  }

  start(): void {
    this.setup();
    this.healthTimer = setInterval(() => {
      if (this.last !== 0 && Date.now() - this.last > 3 * HEALTH_INTERVAL_MS) this.retry();
    }, HEALTH_INTERVAL_MS);
    this.healthTimer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.healthTimer);
    clearTimeout(this.retryTimer);
    this.cancel();
  }

  /** The link's part of STREAM.INFO (`mirror` or an entry of `sources`). */
  info(): StreamSourceInfo {
    const out: StreamSourceInfo = { name: this.source.name } as StreamSourceInfo;
    if (this.source.external !== undefined) out.external = { ...this.source.external } as ExternalStream;
    out.lag = this.lag;
    out.active = this.last === 0 ? -1 : (Date.now() - this.last) * 1_000_000;
    if (this.source.filter_subject) out.filter_subject = this.source.filter_subject;
    if (this.err !== undefined) out.error = this.err;
    return out;
  }

  private cancel(): void {
    for (const u of this.unsubscribes.splice(0)) u();
    this.cname = "";
  }

  /** Asks for a new consumer, at most every RETRY_THRESHOLD_MS. */
  private retry(): void {
    if (this.stopped) return;
    const wait = this.lastRequest + RETRY_THRESHOLD_MS - Date.now();
    if (wait > 0) {
      if (this.retryTimer === undefined) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.retry();
        }, wait);
        this.retryTimer.unref?.();
      }
      return;
    }
    this.setup();
  }

  /** Subscribes to a fresh deliver subject and asks the origin for a consumer delivering there. */
  private setup(): void {
    this.cancel();
    this.lastRequest = Date.now();
    this.last = Date.now();
    this.dseq = 0;
    const ext = this.source.external;
    const kind = this.mirror ? "M" : "S";
    const token = randomBase62(8);
    const deliver = ext?.deliver ? join(ext.deliver, `.${kind}.${token}`) : `$JS.${kind}.${token}`;
    const reply = `$JS.${kind}.R.${randomBase62(10)}`;
    const cfg: ConsumerConfig & Record<string, unknown> = {
      deliver_subject: deliver,
      deliver_policy: DeliverPolicy.All,
      ack_policy: AckPolicy.None,
      ack_wait: 22 * 3600 * 1e9,
      max_deliver: 1,
      idle_heartbeat: HEALTH_INTERVAL_MS * 1e6,
      flow_control: true,
      direct: true,
    } as ConsumerConfig & Record<string, unknown>;
    const next = this.sseq + 1;
    if (next > 1) {
      cfg.deliver_policy = DeliverPolicy.ByStartSequence;
      cfg.opt_start_seq = next;
    } else if (this.source.opt_start_seq !== undefined && this.source.opt_start_seq > 0) {
      cfg.deliver_policy = DeliverPolicy.ByStartSequence;
      cfg.opt_start_seq = this.source.opt_start_seq;
    } else if (this.source.opt_start_time !== undefined && this.source.opt_start_time !== "") {
      cfg.deliver_policy = DeliverPolicy.ByStartTime;
      cfg.opt_start_time = this.source.opt_start_time;
    }
    const filter = this.source.filter_subject;
    let subject = `${API_PREFIX}.CONSUMER.CREATE.${this.source.name}`;
    if (filter) {
      cfg.filter_subject = filter;
      cfg.name = `${this.mirror ? "mirror" : "src"}-${randomBase62(8)}`;
      subject = `${subject}.${cfg.name}.${filter}`;
    }
    if (ext !== undefined) subject = join(ext.api, subject.slice(API_PREFIX.length));

    // Subscribed before asking: the consumer may deliver before its create response arrives.
    this.unsubscribes.push(this.host.subscribe(deliver, (s, r, h, d) => this.onDeliver(s, r, h, d)));
    let answered = false;
    const unsubReply = this.host.subscribe(reply, (_s, _r, _h, d) => {
      if (answered) return;
      answered = true;
      unsubReply();
      this.onCreated(d);
    });
    this.unsubscribes.push(unsubReply);
    const timeout = setTimeout(() => {
      if (!answered && !this.stopped) {
        answered = true;
        this.retry();
      }
    }, CREATE_TIMEOUT_MS);
    timeout.unref?.();
    this.unsubscribes.push(() => clearTimeout(timeout));
    this.host.publish(subject, reply, undefined, Buffer.from(JSON.stringify({ stream_name: this.source.name, config: cfg })));
  }

  private onCreated(data: Uint8Array): void {
    if (this.stopped) return;
    let r: { error?: ApiError; name?: string };
    try {
      r = JSON.parse(Buffer.from(data).toString("utf8")) as { error?: ApiError; name?: string };
    } catch {
      this.err = { code: 400, err_code: 10025, description: "invalid JSON" } as ApiError;
      this.retry();
      return;
    }
    if (r.error !== undefined || r.name === undefined) {
      this.err = r.error;
      this.last = 0;
      this.retry();
      return;
    }
    this.err = undefined;
    this.cname = r.name;
    this.last = Date.now();
  }

  private onDeliver(subject: string, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array): void {
    if (this.stopped) return;
    if (data.length === 0 && headers !== undefined && isControl(headers)) {
      this.last = Date.now();
      if (reply !== undefined) {
        this.host.publish(reply, undefined, undefined, EMPTY); // flow control: go on
        return;
      }
      const fields = decodeHeaders(headers).fields;
      const lastConsumer = Number(fields.find(([k]) => k === "Nats-Last-Consumer")?.[1] ?? 0);
      const stalled = fields.find(([k]) => k === "Nats-Consumer-Stalled")?.[1];
      if (lastConsumer > 0 && lastConsumer !== this.dseq) this.retry();
      else if (stalled !== undefined && stalled !== "") this.host.publish(stalled, undefined, undefined, EMPTY);
      return;
    }
    if (reply === undefined || !reply.startsWith("$JS.ACK.")) return;
    const t = reply.split(".");
    if (t.length !== 9) return;
    if (this.cname !== "" && t[3] !== this.cname) return; // from a consumer we gave up
    this.last = Date.now();
    const delivered = Number(t[4]);
    const sseq = Number(t[5]);
    const dseq = Number(t[6]);
    const pending = Number(t[8]);
    if (delivered > 1) return;
    if (this.mirror) {
      if (sseq <= this.sseq) return;
      if (sseq === this.sseq + 1 || dseq === this.dseq + 1 || this.cname === "") {
        // In order, or past messages the origin no longer has (the same delivery run): keep its sequence.
        if (this.cname === "") this.cname = t[3];
        this.dseq = dseq;
        this.sseq = sseq;
      } else {
        this.retry();
        return;
      }
      this.lag = pending > 0 ? pending - 1 : 0;
      this.host.storeMirrored(sseq, subject, headers, data, BigInt(t[7]));
      return;
    }
    if (dseq === this.dseq + 1 || (dseq > this.dseq && this.cname === "")) {
      if (this.cname === "") this.cname = t[3];
      this.dseq = dseq;
      this.sseq = sseq;
    } else {
      if (dseq > this.dseq) this.retry();
      return;
    }
    this.lag = pending > 0 ? pending - 1 : 0;
    this.host.storeSourced(subject, sourceHeaders(headers, this.iname, sseq), data);
  }
}

function isControl(headers: Uint8Array): boolean {
  // "NATS/1.0 100 ": heartbeats and flow-control requests.
  return headers.length >= 13 && headers[9] === 0x31 && headers[10] === 0x30 && headers[11] === 0x30 && headers[12] === 0x20;
}

/** The message's headers without an earlier Nats-Stream-Source (daisy chains), plus this source's. */
function sourceHeaders(headers: Uint8Array | undefined, iname: string, seq: number): Uint8Array {
  let lines = "";
  if (headers !== undefined) {
    for (const [k, v] of decodeHeaders(headers).fields) if (k !== "Nats-Stream-Source") lines += `${k}: ${v}\r\n`;
  }
  return Buffer.from(`NATS/1.0\r\n${lines}Nats-Stream-Source: ${iname} ${seq}\r\n\r\n`, "utf8");
}

/** The origin sequence in a Nats-Stream-Source header of source `iname`, or 0. */
export function sourcedSeq(headers: Uint8Array | undefined, iname: string): number {
  if (headers === undefined) return 0;
  let v: string | undefined;
  try {
    v = decodeHeaders(headers).fields.find(([k]) => k === "Nats-Stream-Source")?.[1];
  } catch {
    return 0;
  }
  if (v === undefined) return 0;
  const sp = v.lastIndexOf(" ");
  if (sp < 0 || v.slice(0, sp) !== iname) return 0;
  const n = Number(v.slice(sp + 1));
  return Number.isInteger(n) ? n : 0;
}

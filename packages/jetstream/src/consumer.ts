import { BLANK_REPLY, randomBase62, withHeader } from "@tsnats/protocol";
import type { StoredMessage } from "@tsnats/store";
import { subjectMatches } from "@tsnats/subject";
import { AckPolicy, type ConsumerConfig, type ConsumerInfo, DeliverPolicy, type PullRequest, ReplayPolicy } from "./api-types.js";
import { DEFAULT_ACK_WAIT, DEFAULT_MAX_WAITING, filtersOf } from "./consumer-config.js";
import { PendingOrder } from "./pending-order.js";
import { SeqMap } from "./seq-map.js";
import { Status } from "./status.js";
import type { Stream } from "./stream.js";
import { nsAt, parseRfc3339, perfMs, rfc3339, wallMs } from "./time.js";

/** What a consumer needs from its account (the shard behind it). */
export interface ConsumerHost {
  /**
   * Sends a message into the account on `subject` (a deliver subject or a pull request's inbox), showing
   * `shown` as its subject when given (deliveries show the stream message's own subject). Others (statuses,
   * ack confirmations) show whatever subject they reach the receiver on, like any reply: across a service
   * import that is the requester's own inbox, not the mapped one.
   */
  send(subject: string, shown: string | undefined, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array): void;
  /** Whether anyone listens on `subject` (as a member of queue group `queue`, when given). */
  hasInterest(subject: string, queue?: string): boolean;
  /** The consumer's state changed: persist it with the next commit. */
  changed(c: Consumer): void;
  /** A message was acknowledged (retention policies may remove it). */
  acked(c: Consumer, seq: number): void;
  /** An ephemeral consumer was inactive for its threshold. */
  expired(c: Consumer): void;
  advisory(subject: string, body: Record<string, unknown>): void;
  now(): bigint;
}

/** A delivered message not yet acknowledged. */
interface PendingEntry {
  /** Consumer sequence of the latest delivery. */
  cseq: number;
  /** Consumer sequence of the first delivery (the ack floor stops just below it). */
  firstCseq: number;
  deliveries: number;
  /** When it is due for redelivery (ms, Date.now() clock). */
  deadline: number;
  /** When it was last sent (ms), for the ack time in sampled ack metrics. */
  sentAt: number;
  /** Waiting in the redelivery queue (due now). */
  queued: boolean;
}

/** A pull request waiting for messages. */
interface Waiting {
  reply: string;
  batch: number;
  maxBytes: number;
  noWait: boolean;
  /** Absolute expiry (ms), 0 for none. */
  expires: number;
  heartbeat: number;
  sent: number;
  bytes: number;
  hbTimer: NodeJS.Timeout | undefined;
}

/** The persisted part of a consumer's state. */
export interface ConsumerState {
  delivered: { cseq: number; sseq: number };
  ackFloor: { cseq: number; sseq: number };
  /** [stream seq, consumer seq, deliveries, first consumer seq] of each pending message (older records). */
  pending: Array<[number, number, number, number?]>;
  /**
   * The pending messages as runs: [stream seq, consumer seq, deliveries, first consumer seq, count] stands
   * for `count` messages whose three sequences each go up by one (deliveries alike). A push consumer holds
   * thousands of pending messages that are nearly always one run, and its state is saved ten times a second:
   * one tuple per message made those saves a tenth of the shard's time.
   */
  runs?: Array<[number, number, number, number, number]>;
  /** last_per_subject: the sequences still to deliver before new messages, and where new ones start. */
  lps?: { queue: number[]; resume: number };
  /** Sequences delivered more than once and not acknowledged since. */
  redelivered: number[];
}

const FLOW_CONTROL_BYTES = 1024 * 1024;
/**
 * Deliveries a push consumer makes in one go: the rest follows on the next turn of the shard's event loop,
 * so the front-end writes the first ones to the client while the shard reads the next (a flow-control
 * window of small messages is thousands of deliveries, which went out as one batch). Measured, one server,
 * 200k messages, medians of 6-9 runs: 145k -> 171k msgs/s (256 and 1024 no better; the machine's noise is
 * ±25%).
 */
const PUSH_SLICE = 512;

/** An empty ack body, or one that starts with `+ACK` (what nats-server takes for a plain ack). */
function isPlainAck(body: Uint8Array): boolean {
  if (body.byteLength === 0) return true;
  return body.byteLength >= 4 && body[0] === 0x2b && body[1] === 0x41 && body[2] === 0x43 && body[3] === 0x4b;
}

/** The pending messages (in their map's order) as runs, see ConsumerState.runs. */
function pendingRuns(pending: SeqMap<PendingEntry>): Array<[number, number, number, number, number]> {
  const runs: Array<[number, number, number, number, number]> = [];
  let run: [number, number, number, number, number] | undefined;
  for (const [sseq, e] of pending) {
    if (run !== undefined && sseq === run[0] + run[4] && e.cseq === run[1] + run[4] && e.firstCseq === run[3] + run[4] && e.deliveries === run[2]) {
      run[4]++;
    } else {
      run = [sseq, e.cseq, e.deliveries, e.firstCseq, 1];
      runs.push(run);
    }
  }
  return runs;
}

/** sample_freq ("30%" or "30") as a number of percent. */
function samplePercent(cfg: ConsumerConfig): number {
  const p = Number.parseFloat(cfg.sample_freq ?? "");
  return Number.isFinite(p) && p > 0 ? Math.min(p, 100) : 0;
}


/**
 * A JetStream consumer: a cursor over a stream with delivery and acknowledgement state. Pull consumers
 * answer MSG.NEXT requests (batches, expiry, no_wait, max_bytes, heartbeats, with nats-server's status
 * messages); push consumers deliver to their deliver subject while someone listens (queue groups, flow
 * control, idle heartbeats). Acks, naks, progress, terms and next-requests drive redelivery (ack_wait,
 * backoff, max_deliver) and the stream's retention.
 */
export class Consumer {
  readonly name: string;
  readonly created: bigint;
  config: ConsumerConfig;
  readonly ephemeral: boolean;

  // Delivery state.
  private deliveredCseq = 0;
  private deliveredSseq = 0;
  private ackCseq = 0;
  private ackSseq = 0;
  /** When the last delivery and the last ack happened (performance.now(); 0: never). */
  private lastDelivered = 0;
  private lastAcked = 0;
  private readonly pending = new SeqMap<PendingEntry>();
  /** The pending sequences in stream order (the ack floor is the oldest's predecessor). */
  private readonly pendingOrder = new PendingOrder();
  private redeliverQueue: number[] = [];
  /**
   * Messages delivered more than once, until acknowledged (num_redelivered counts them, as nats-server's
   * redelivery map; one that ran out of deliveries stays in it).
   */
  private readonly redelivered = new Set<number>();
  /** last_per_subject: the sequences to deliver before moving on to new messages. */
  private lpsQueue: number[] | undefined;
  private lpsResume = 0;
  /**
   * num_pending kept up to date as messages come, go and are delivered (counting the store on every
   * delivery would cost O(stream)); -1 when it must be counted again.
   */
  private pendingCount = -1;

  private readonly waiting: Waiting[] = [];
  private redeliveryTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private inactivityTimer: NodeJS.Timeout | undefined;
  private lastActivity = Date.now();
  private delivering = false;
  private deleted = false;

  // Push flow control.
  private fcBytes = 0;
  private fcOutstanding: string | undefined;
  private stalledBytes = 0;
  private stalled = false;

  private filters: string[];
  /** sample_freq as a percentage (0: no ack metrics). */
  private samplePercent: number;
  /** `$JS.ACK.<stream>.<consumer>.`: the start of every ack subject this consumer hands out. */
  private readonly ackPrefix: string;

  constructor(
    readonly stream: Stream,
    name: string,
    config: ConsumerConfig,
    created: bigint,
    ephemeral: boolean,
    private readonly host: ConsumerHost,
    state?: ConsumerState,
  ) {
    this.name = name;
    this.ackPrefix = `$JS.ACK.${stream.name}.${name}.`;
    this.config = config;
    this.created = created;
    this.ephemeral = ephemeral;
    this.filters = filtersOf(config);
    this.samplePercent = samplePercent(config);
    if (state !== undefined) this.restore(state);
    else this.start();
    this.armTimers();
  }

  get isPush(): boolean {
    return this.config.deliver_subject !== undefined;
  }

  private get ackNone(): boolean {
    return this.config.ack_policy === AckPolicy.None;
  }

  /** Where a new consumer starts, by its deliver policy. */
  private start(): void {
    const st = this.stream.store.state();
    const cfg = this.config;
    let start = st.firstSeq;
    switch (cfg.deliver_policy) {
      case DeliverPolicy.All:
        start = st.messages === 0 ? st.lastSeq + 1 : st.firstSeq;
        break;
      case DeliverPolicy.New:
        start = st.lastSeq + 1;
        break;
      case DeliverPolicy.Last: {
        const last = this.filters.length === 0 ? this.stream.store.get(st.lastSeq) : this.lastMatching();
        start = last !== undefined ? last.seq : st.lastSeq + 1;
        break;
      }
      case DeliverPolicy.ByStartSequence:
        start = cfg.opt_start_seq ?? 1;
        break;
      case DeliverPolicy.ByStartTime: {
        const t = parseRfc3339(cfg.opt_start_time ?? "") ?? 0n;
        start = st.lastSeq + 1;
        for (let m = this.stream.store.next(st.firstSeq); m !== undefined; m = this.stream.store.next(m.seq + 1)) {
          if (m.time >= t) {
            start = m.seq;
            break;
          }
        }
        break;
      }
      case DeliverPolicy.LastPerSubject: {
        const seqs: number[] = [];
        const filters = this.filters.length > 0 ? this.filters : [">"];
        for (const f of filters) for (const subject of this.stream.store.subjects(f).keys()) {
          const m = this.stream.store.last(subject);
          if (m !== undefined) seqs.push(m.seq);
        }
        seqs.sort((a, b) => a - b);
        this.lpsQueue = seqs;
        this.lpsResume = st.lastSeq;
        start = seqs.length > 0 ? seqs[0] : st.lastSeq + 1;
        break;
      }
    }
    this.deliveredSseq = Math.max(0, start - 1);
    this.ackSseq = this.deliveredSseq;
  }

  private lastMatching(): StoredMessage | undefined {
    let best: StoredMessage | undefined;
    for (const f of this.filters) {
      const m = this.stream.store.last(f);
      if (m !== undefined && (best === undefined || m.seq > best.seq)) best = m;
    }
    return best;
  }

  private restore(s: ConsumerState): void {
    this.deliveredCseq = s.delivered.cseq;
    this.deliveredSseq = s.delivered.sseq;
    this.ackCseq = s.ackFloor.cseq;
    this.ackSseq = s.ackFloor.sseq;
    if (Array.isArray(s.redelivered)) for (const seq of s.redelivered) this.redelivered.add(seq);
    const deadline = Date.now() + this.ackWaitMs(1);
    for (const [sseq, cseq, deliveries, firstCseq] of s.pending) {
      this.pending.set(sseq, { cseq, firstCseq: firstCseq ?? cseq, deliveries, deadline, sentAt: 0, queued: false });
    }
    for (const [sseq, cseq, deliveries, firstCseq, count] of s.runs ?? []) {
      for (let i = 0; i < count; i++) {
        this.pending.set(sseq + i, { cseq: cseq + i, firstCseq: firstCseq + i, deliveries, deadline, sentAt: 0, queued: false });
      }
    }
    this.pendingOrder.reset(this.pending);
    if (s.lps !== undefined) {
      this.lpsQueue = [...s.lps.queue];
      this.lpsResume = s.lps.resume;
    }
  }

  state(): ConsumerState {
    return {
      delivered: { cseq: this.deliveredCseq, sseq: this.deliveredSseq },
      ackFloor: { cseq: this.ackCseq, sseq: this.ackSseq },
      pending: [],
      runs: pendingRuns(this.pending),
      ...(this.lpsQueue !== undefined ? { lps: { queue: this.lpsQueue, resume: this.lpsResume } } : {}),
      redelivered: [...this.redelivered],
    };
  }

  private matches(subject: string): boolean {
    if (this.filters.length === 0) return true;
    for (const f of this.filters) if (subjectMatches(subject, f)) return true;
    return false;
  }

  // ---- what to deliver next --------------------------------------------------------------------

  /** The next message to deliver: due redeliveries first, then new messages (within max_ack_pending). */
  private next(): { msg: StoredMessage; redelivery: boolean } | undefined {
    while (this.redeliverQueue.length > 0) {
      const sseq = this.redeliverQueue[0];
      const entry = this.pending.get(sseq);
      const msg = entry === undefined ? undefined : this.stream.store.get(sseq);
      if (entry === undefined || msg === undefined) {
        this.redeliverQueue.shift();
        if (entry !== undefined) this.pending.delete(sseq);
        continue;
      }
      return { msg, redelivery: true };
    }
    const map = this.config.max_ack_pending ?? -1;
    if (!this.ackNone && map > 0 && this.pending.size >= map) return undefined;
    const msg = this.nextNew();
    return msg === undefined ? undefined : { msg, redelivery: false };
  }

  private nextNew(): StoredMessage | undefined {
    const store = this.stream.store;
    if (this.lpsQueue !== undefined) {
      while (this.lpsQueue.length > 0) {
        const m = store.get(this.lpsQueue[0]);
        if (m !== undefined) return m;
        this.lpsQueue.shift();
      }
      this.lpsQueue = undefined;
      this.deliveredSseq = Math.max(this.deliveredSseq, this.lpsResume);
    }
    const from = this.deliveredSseq + 1;
    if (this.filters.length <= 1) return store.next(from, this.filters[0]);
    let best: StoredMessage | undefined;
    for (const f of this.filters) {
      const m = store.next(from, f);
      if (m !== undefined && (best === undefined || m.seq < best.seq)) best = m;
    }
    return best;
  }

  /** Messages not delivered yet (num_pending). */
  numPending(): number {
    if (this.pendingCount >= 0 && this.lpsQueue === undefined) return this.pendingCount;
    const store = this.stream.store;
    let n = this.lpsQueue?.length ?? 0;
    const from = (this.lpsQueue !== undefined ? this.lpsResume : this.deliveredSseq) + 1;
    if (this.filters.length === 0) n += store.count(from);
    else for (const f of this.filters) n += store.count(from, f);
    if (this.lpsQueue === undefined) this.pendingCount = n;
    return n;
  }

  /** The stream stored `msg`. */
  messageStored(msg: StoredMessage): void {
    if (this.pendingCount >= 0 && msg.seq > this.deliveredSseq && this.matches(msg.subject)) this.pendingCount++;
  }

  /** Whether removing message `seq` changes the kept num_pending (then the remover should say its subject). */
  countsPending(seq: number): boolean {
    return this.pendingCount >= 0 && seq > this.deliveredSseq;
  }

  /** The stream removed message `seq` (of `subject`, when known). */
  messageRemoved(seq: number, subject: string | undefined): void {
    if (this.pendingCount < 0 || seq <= this.deliveredSseq) return;
    if (subject === undefined || this.lpsQueue !== undefined) this.pendingCount = -1;
    else if (this.matches(subject)) this.pendingCount--;
  }

  /** The stream was purged up to `firstSeq` (or some of it by subject): skip what went, forget its acks. */
  streamPurged(firstSeq: number): void {
    this.pendingCount = -1;
    if (this.deliveredSseq < firstSeq - 1) this.deliveredSseq = firstSeq - 1;
    if (this.ackSseq < firstSeq - 1) this.ackSseq = firstSeq - 1;
    let changed = false;
    for (const sseq of this.pending.keys()) {
      if (sseq < firstSeq || this.stream.store.get(sseq) === undefined) {
        this.pending.delete(sseq);
        this.redelivered.delete(sseq);
        changed = true;
      }
    }
    if (changed) {
      this.redeliverQueue = this.redeliverQueue.filter((s) => this.pending.has(s));
      this.updateAckFloor();
    }
    this.host.changed(this);
  }

  // ---- delivering ------------------------------------------------------------------------------

  private ackWaitMs(deliveries: number): number {
    const backoff = this.config.backoff;
    if (backoff !== undefined && backoff.length > 0) return Math.ceil(backoff[Math.min(deliveries - 1, backoff.length - 1)] / 1e6);
    return Math.ceil((this.config.ack_wait ?? DEFAULT_ACK_WAIT) / 1e6);
  }

  /**
   * Sends `msg` to `to`. Returns the bytes it counts for (pull max_bytes: subject, ack subject, headers and
   * payload, as nats-server counts), -1 when it was not sent because it ran out of deliveries, or -2 when
   * it would not fit in `budget` bytes (then nothing changed).
   */
  private deliver(msg: StoredMessage, redelivery: boolean, to: string, budget = Number.POSITIVE_INFINITY): number {
    const cfg = this.config;
    const entry = redelivery ? this.pending.get(msg.seq)! : undefined;
    if (entry !== undefined && cfg.max_deliver !== undefined && cfg.max_deliver > 0 && entry.deliveries >= cfg.max_deliver) {
      // Out of deliveries: it leaves pending without moving the ack floor (as nats-server).
      this.redeliverQueue.shift();
      this.pending.delete(msg.seq);
      this.host.advisory(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${this.stream.name}.${this.name}`, {
        type: "io.nats.jetstream.advisory.v1.max_deliver",
        stream: this.stream.name,
        consumer: this.name,
        stream_seq: msg.seq,
        deliveries: entry.deliveries,
      });
      this.host.changed(this);
      return -1;
    }
    const deliveries = entry === undefined ? 1 : entry.deliveries + 1;
    const cseq = this.deliveredCseq + 1;
    const pendingAfter = entry === undefined ? this.numPending() - 1 : this.numPending();
    const ackSubject = `${this.ackPrefix}${deliveries}.${msg.seq}.${cseq}.${msg.time}.${pendingAfter}`;
    let headers = msg.headers;
    let data = msg.data;
    if (cfg.headers_only) {
      headers = withHeader(msg.headers, "Nats-Msg-Size", String(msg.data.length));
      data = new Uint8Array(0);
    }
    const size = msg.subject.length + ackSubject.length + (headers?.length ?? 0) + data.length;
    if (size > budget) return -2;

    this.deliveredCseq = cseq;
    const now = wallMs();
    const deadline = now + this.ackWaitMs(deliveries);
    if (entry !== undefined) {
      this.redeliverQueue.shift();
      entry.queued = false;
      this.redelivered.add(msg.seq);
      entry.deliveries = deliveries;
      entry.cseq = cseq;
      entry.deadline = deadline;
      entry.sentAt = now;
    } else {
      if (this.lpsQueue !== undefined && this.lpsQueue[0] === msg.seq) this.lpsQueue.shift();
      else if (this.pendingCount > 0) this.pendingCount--;
      this.deliveredSseq = Math.max(this.deliveredSseq, msg.seq);
      if (this.ackNone) {
        this.ackCseq = cseq;
        this.ackSseq = this.deliveredSseq;
      } else {
        this.pending.set(msg.seq, { cseq, firstCseq: cseq, deliveries: 1, deadline, sentAt: now, queued: false });
        this.pendingOrder.push(msg.seq, this.pending);
      }
    }
    this.lastDelivered = perfMs();
    this.host.send(to, msg.subject, ackSubject, headers, data);
    this.host.changed(this);
    if (this.ackNone) this.host.acked(this, msg.seq);
    else this.armRedelivery(deadline);
    return size;
  }

  /** Delivers whatever can be delivered now: to waiting pull requests, or to the push subject. */
  kick(): void {
    if (this.delivering || this.deleted) return;
    this.delivering = true;
    try {
      if (this.isPush) this.pushAll();
      else this.serveWaiting();
    } finally {
      this.delivering = false;
    }
  }

  // ---- pull ------------------------------------------------------------------------------------

  /** A MSG.NEXT request. */
  pull(reply: string, body: Uint8Array): void {
    this.lastActivity = wallMs();
    if (this.isPush) return this.status(reply, Status.pushBased());
    let req: PullRequest;
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8").trim();
    if (text === "") req = { batch: 1 };
    else if (/^\d+$/.test(text)) req = { batch: Number(text) };
    else {
      try {
        req = JSON.parse(text) as PullRequest;
      } catch (err) {
        return this.status(reply, Status.badRequest((err as Error).message));
      }
    }
    const cfg = this.config;
    // A batch of 0 or less is a batch of 1 (as nats-server).
    const batch = Math.max(1, req.batch ?? 1);
    const expiresNs = req.expires ?? 0;
    const hbNs = req.idle_heartbeat ?? 0;
    if (cfg.max_batch !== undefined && cfg.max_batch > 0 && batch > cfg.max_batch) return this.status(reply, Status.exceededMaxBatch(cfg.max_batch));
    if (cfg.max_expires !== undefined && cfg.max_expires > 0 && expiresNs > cfg.max_expires) return this.status(reply, Status.exceededMaxExpires(cfg.max_expires));
    if (cfg.max_bytes !== undefined && cfg.max_bytes > 0 && (req.max_bytes ?? 0) > cfg.max_bytes) return this.status(reply, Status.exceededMaxBytes(cfg.max_bytes));
    if (hbNs > 0 && (expiresNs <= 0 || hbNs > expiresNs / 2)) return this.status(reply, Status.badRequest("heartbeat value too large"));
    if (expiresNs > 0 && expiresNs < 1_000_000) return this.status(reply, Status.requestTimeout(batch, req.max_bytes ?? 0));
    const w: Waiting = {
      reply,
      batch,
      maxBytes: req.max_bytes ?? 0,
      noWait: req.no_wait === true,
      expires: expiresNs > 0 ? Date.now() + expiresNs / 1e6 : 0,
      heartbeat: hbNs > 0 ? hbNs / 1e6 : 0,
      sent: 0,
      bytes: 0,
      hbTimer: undefined,
    };
    if (!w.noWait && this.waiting.length >= (cfg.max_waiting ?? DEFAULT_MAX_WAITING)) return this.status(reply, Status.exceededMaxWaiting());
    this.delivering = true;
    try {
      this.fill(w);
    } finally {
      this.delivering = false;
    }
    if (w.sent >= w.batch) return;
    if (w.noWait) {
      // Nothing (more) now: 404 when nothing was sent, 408 after a partial batch (as nats-server).
      if (w.sent === 0 && w.expires === 0) this.status(reply, Status.noMessages());
      else this.status(reply, Status.requestTimeout(w.batch - w.sent, w.maxBytes > 0 ? w.maxBytes - w.bytes : 0));
      return;
    }
    this.park(w);
  }

  /**
   * Sends what is available to a request, until it has its batch (or its max_bytes: then a 409 ends it,
   * and it counts as complete).
   */
  private fill(w: Waiting): void {
    while (w.sent < w.batch) {
      const n = this.next();
      if (n === undefined) return;
      const bytes = this.deliver(n.msg, n.redelivery, w.reply, w.maxBytes > 0 ? w.maxBytes - w.bytes : undefined);
      if (bytes === -2) {
        this.status(w.reply, Status.maxBytes(w.batch - w.sent, w.maxBytes - w.bytes));
        w.sent = w.batch;
        return;
      }
      if (bytes < 0) continue;
      w.sent++;
      w.bytes += bytes;
    }
  }

  private park(w: Waiting): void {
    this.waiting.push(w);
    if (w.heartbeat > 0) {
      w.hbTimer = setInterval(() => this.status(w.reply, Status.idleHeartbeat(this.deliveredCseq, this.deliveredSseq)), w.heartbeat);
      w.hbTimer.unref?.();
    }
    this.armExpiry();
  }

  private expiryTimer: NodeJS.Timeout | undefined;

  /** One timer for the soonest-expiring waiting request. */
  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    let soonest = 0;
    for (const w of this.waiting) if (w.expires > 0 && (soonest === 0 || w.expires < soonest)) soonest = w.expires;
    if (soonest === 0) return;
    this.expiryTimer = setTimeout(() => this.expireWaiting(), Math.max(0, soonest - Date.now()) + 1);
    this.expiryTimer.unref?.();
  }

  private expireWaiting(): void {
    const now = Date.now();
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i];
      if (w.expires > 0 && w.expires <= now) {
        this.waiting.splice(i, 1);
        clearInterval(w.hbTimer);
        this.status(w.reply, Status.requestTimeout(w.batch - w.sent, w.maxBytes > 0 ? w.maxBytes - w.bytes : 0));
      } else {
        i++;
      }
    }
    this.armExpiry();
  }

  private serveWaiting(): void {
    while (this.waiting.length > 0) {
      const w = this.waiting[0];
      if (!this.host.hasInterest(w.reply)) {
        // The requester went away: its request goes too.
        this.dropWaiting(0);
        continue;
      }
      const before = w.sent;
      this.fill(w);
      if (w.sent >= w.batch) {
        this.dropWaiting(0);
        continue;
      }
      if (w.sent === before) return; // nothing more to deliver now
    }
  }

  private dropWaiting(i: number): void {
    const [w] = this.waiting.splice(i, 1);
    clearInterval(w.hbTimer);
    this.armExpiry();
  }

  private status(reply: string, headers: Buffer): void {
    this.host.send(reply, undefined, BLANK_REPLY, headers, new Uint8Array(0));
  }

  get numWaiting(): number {
    return this.waiting.length;
  }

  // ---- push ------------------------------------------------------------------------------------

  get pushBound(): boolean {
    return this.isPush && this.host.hasInterest(this.config.deliver_subject!, this.config.deliver_group);
  }

  private pushAll(): void {
    const to = this.config.deliver_subject!;
    if (!this.host.hasInterest(to, this.config.deliver_group)) return;
    this.lastActivity = wallMs();
    if (this.rateTimer !== undefined && this.rateFreeAt > this.lastActivity) return; // the timer resumes
    let budget = PUSH_SLICE;
    while (!this.stalled) {
      if (budget-- === 0) return this.pushLater();
      const n = this.next();
      if (n === undefined) return;
      const bytes = this.deliver(n.msg, n.redelivery, to);
      if (bytes < 0) continue;
      if (this.config.flow_control) this.flowControl(to, bytes);
      if (this.config.replay_policy === ReplayPolicy.Original) return this.replayPause(n.msg);
      if ((this.config.rate_limit_bps ?? 0) > 0 && this.rateLimited(bytes)) return;
    }
  }

  private pushImmediate: NodeJS.Immediate | undefined;

  /** The rest of a long run of deliveries goes on the next turn (its first part is on its way meanwhile). */
  private pushLater(): void {
    if (this.pushImmediate !== undefined) return;
    this.pushImmediate = setImmediate(() => {
      this.pushImmediate = undefined;
      this.kick();
    });
  }

  private rateTimer: NodeJS.Timeout | undefined;
  /** When the bits sent so far at rate_limit_bps will have gone (ms). */
  private rateFreeAt = 0;

  /** rate_limit_bps: after `bytes` more, true when delivery must wait (a timer resumes it). */
  private rateLimited(bytes: number): boolean {
    const now = Date.now();
    this.rateFreeAt = Math.max(this.rateFreeAt, now) + (bytes * 8 * 1000) / this.config.rate_limit_bps!;
    if (this.rateFreeAt <= now + 1) return false;
    clearTimeout(this.rateTimer);
    this.rateTimer = setTimeout(() => {
      this.rateTimer = undefined;
      this.kick();
    }, this.rateFreeAt - now);
    this.rateTimer.unref?.();
    return true;
  }

  /** Flow control: a request every ~1 MiB delivered; delivery stalls while ~2 MiB go unanswered. */
  private flowControl(to: string, bytes: number): void {
    this.fcBytes += bytes;
    if (this.fcOutstanding !== undefined) {
      this.stalledBytes += bytes;
      if (this.stalledBytes >= FLOW_CONTROL_BYTES) this.stalled = true;
      return;
    }
    if (this.fcBytes < FLOW_CONTROL_BYTES) return;
    this.fcBytes = 0;
    this.stalledBytes = 0;
    this.fcOutstanding = `$JS.FC.${this.stream.name}.${this.name}.${randomBase62(4)}`;
    this.host.send(to, undefined, this.fcOutstanding, Status.flowControl(), new Uint8Array(0));
  }

  /** The client answered a flow-control request. */
  flowControlReply(subject: string): void {
    if (subject !== this.fcOutstanding) return;
    this.fcOutstanding = undefined;
    this.stalled = false;
    this.stalledBytes = 0;
    this.kick();
  }

  private replayTimer: NodeJS.Timeout | undefined;

  /** replay_policy original: the next message waits as long as it came after this one. */
  private replayPause(prev: StoredMessage): void {
    const next = this.stream.store.next(prev.seq + 1, this.filters[0]);
    if (next === undefined) return;
    const gapMs = Number((next.time - prev.time) / 1_000_000n);
    clearTimeout(this.replayTimer);
    this.replayTimer = setTimeout(() => this.kick(), Math.max(0, gapMs));
    this.replayTimer.unref?.();
  }

  // ---- acks ------------------------------------------------------------------------------------

  /**
   * An ack on `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`: +ACK (or empty),
   * -NAK [{"delay": ns}], +WPI, +TERM, +NXT [batch]. A reply subject gets an empty message back.
   */
  ack(sseq: number, body: Uint8Array, reply: string | undefined): void {
    this.lastActivity = wallMs();
    const map = this.config.max_ack_pending ?? -1;
    const wasFull = map > 0 && this.pending.size >= map;
    // Most acks are empty or +ACK: those are told from the bytes, with no text to decode.
    if (isPlainAck(body)) this.acknowledge(sseq);
    else if (this.ackWithText(sseq, Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"), reply)) return;
    if (reply !== undefined) this.host.send(reply, undefined, BLANK_REPLY, undefined, new Uint8Array(0));
    // Only an ack that freed a max_ack_pending slot, or a NAK that queued a redelivery, can let more out.
    if (wasFull || this.redeliverQueue.length > 0) this.kick();
  }

  /** The other acks: -NAK, +WPI, +TERM, +NXT. True when the ack answered its reply itself (+NXT). */
  private ackWithText(sseq: number, text: string, reply: string | undefined): boolean {
    const kind = text.slice(0, 4);
    if (kind === "-NAK") {
      this.nak(sseq, text.slice(4).trim());
    } else if (kind === "+WPI") {
      const e = this.pending.get(sseq);
      if (e !== undefined) {
        e.deadline = Date.now() + this.ackWaitMs(e.deliveries);
        this.armRedelivery();
      }
    } else if (kind === "+TER") {
      const e = this.pending.get(sseq);
      if (e !== undefined) {
        this.host.advisory(`$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${this.stream.name}.${this.name}`, {
          type: "io.nats.jetstream.advisory.v1.terminated",
          stream: this.stream.name,
          consumer: this.name,
          consumer_seq: e.cseq,
          stream_seq: sseq,
          deliveries: e.deliveries,
        });
        this.acknowledge(sseq);
      }
    } else if (kind === "+NXT") {
      this.acknowledge(sseq);
      if (reply !== undefined) {
        const rest = text.slice(4).trim();
        this.pull(reply, Buffer.from(rest === "" ? "1" : rest));
        return true;
      }
    }
    return false;
  }

  private acknowledge(sseq: number): void {
    if (this.ackNone) return;
    if (this.config.ack_policy === AckPolicy.All) {
      for (const s of this.pendingOrder.upTo(this.pending, sseq)) this.settle(s);
    } else {
      const e = this.pending.get(sseq);
      if (e === undefined) return;
      this.sample(sseq, e);
      this.settle(sseq);
    }
    this.lastAcked = perfMs();
    this.updateAckFloor();
    this.host.changed(this);
  }

  /** sample_freq: that share of acks is reported on `$JS.EVENT.METRIC.CONSUMER.ACK.<stream>.<consumer>`. */
  private sample(sseq: number, e: PendingEntry): void {
    if (this.samplePercent <= 0 || Math.random() * 100 >= this.samplePercent) return;
    this.host.advisory(`$JS.EVENT.METRIC.CONSUMER.ACK.${this.stream.name}.${this.name}`, {
      type: "io.nats.jetstream.metric.v1.consumer_ack",
      stream: this.stream.name,
      consumer: this.name,
      consumer_seq: e.cseq,
      stream_seq: sseq,
      ack_time: e.sentAt > 0 ? (Date.now() - e.sentAt) * 1_000_000 : 0,
      deliveries: e.deliveries,
    });
  }

  private settle(sseq: number): void {
    this.pending.delete(sseq);
    this.redelivered.delete(sseq);
    this.host.acked(this, sseq);
  }

  private updateAckFloor(): void {
    if (this.pending.size === 0) {
      this.ackCseq = this.deliveredCseq;
      this.ackSseq = this.deliveredSseq;
      return;
    }
    const minS = this.pendingOrder.oldest(this.pending)!;
    const first = this.pending.get(minS)!;
    this.ackSseq = Math.max(this.ackSseq, minS - 1);
    this.ackCseq = Math.max(this.ackCseq, first.firstCseq - 1);
  }

  private nak(sseq: number, arg: string): void {
    const e = this.pending.get(sseq);
    if (e === undefined) return;
    let delayMs = 0;
    if (arg !== "") {
      try {
        const d = JSON.parse(arg) as { delay?: number };
        delayMs = Math.max(0, (d.delay ?? 0) / 1e6);
      } catch {
        // A malformed delay is no delay.
      }
    }
    this.host.advisory(`$JS.EVENT.ADVISORY.CONSUMER.MSG_NAKED.${this.stream.name}.${this.name}`, {
      type: "io.nats.jetstream.advisory.v1.nak",
      stream: this.stream.name,
      consumer: this.name,
      consumer_seq: e.cseq,
      stream_seq: sseq,
      deliveries: e.deliveries,
    });
    if (delayMs > 0) {
      e.deadline = Date.now() + delayMs;
      this.armRedelivery(e.deadline);
    } else {
      e.deadline = 0;
      this.queueRedelivery(sseq);
    }
  }

  /**
   * Whether this consumer is done with `sseq` (acknowledged it, or will never deliver it); `subject`, when
   * the caller knows it, spares a read of the message for a filtered consumer.
   */
  hasAcked(sseq: number, subject?: string): boolean {
    if (this.filters.length > 0) {
      const s = subject ?? this.stream.store.get(sseq)?.subject;
      if (s === undefined || !this.matches(s)) return true;
    }
    if (sseq > this.deliveredSseq) return false;
    return !this.pending.has(sseq);
  }

  get filtered(): boolean {
    return this.filters.length > 0;
  }

  // ---- redelivery ------------------------------------------------------------------------------

  private queueRedelivery(sseq: number): void {
    const e = this.pending.get(sseq);
    if (e === undefined || e.queued) return;
    e.queued = true;
    // Kept in stream order: older messages are redelivered first.
    let i = this.redeliverQueue.length;
    while (i > 0 && this.redeliverQueue[i - 1] > sseq) i--;
    this.redeliverQueue.splice(i, 0, sseq);
  }

  private redeliveryAt = 0;

  /**
   * Keeps one timer for the soonest redelivery. `deadline` is a new one just set: the timer only moves when
   * it is sooner than the armed one (usual deliveries are later, so they cost nothing).
   */
  private armRedelivery(deadline?: number): void {
    if (this.pending.size === 0) return;
    if (this.redeliveryTimer !== undefined) {
      if (deadline === undefined || deadline >= this.redeliveryAt) return;
      clearTimeout(this.redeliveryTimer);
      this.redeliveryTimer = undefined;
    }
    let soonest = deadline ?? Number.POSITIVE_INFINITY;
    if (deadline === undefined) for (const e of this.pending.values()) if (e.deadline > 0 && e.deadline < soonest) soonest = e.deadline;
    if (soonest === Number.POSITIVE_INFINITY) return;
    this.redeliveryAt = soonest;
    this.redeliveryTimer = setTimeout(() => {
      this.redeliveryTimer = undefined;
      const now = Date.now();
      for (const [s, e] of this.pending) {
        if (e.deadline > 0 && e.deadline <= now) {
          e.deadline = 0; // due: it waits in the queue now, not on the timer
          this.queueRedelivery(s);
        }
      }
      this.kick();
      this.armRedelivery();
    }, Math.max(1, soonest - Date.now()));
    this.redeliveryTimer.unref?.();
  }

  // ---- heartbeats and inactivity ------------------------------------------------------------------

  private armTimers(): void {
    const hb = this.config.idle_heartbeat ?? 0;
    if (this.isPush && hb > 0) {
      this.heartbeatTimer = setInterval(() => this.heartbeat(), hb / 1e6);
      this.heartbeatTimer.unref?.();
    }
    const threshold = this.config.inactive_threshold ?? 0;
    if (threshold > 0) {
      const ms = threshold / 1e6;
      this.inactivityTimer = setInterval(() => this.checkInactive(ms), Math.max(100, ms / 2));
      this.inactivityTimer.unref?.();
    }
    if (this.pending.size > 0) this.armRedelivery();
    if (this.waiting.length > 0) this.armExpiry();
  }

  /** Push idle heartbeat: sent when nothing was delivered for idle_heartbeat (and while stalled, naming the stall). */
  private heartbeat(): void {
    const hbMs = (this.config.idle_heartbeat ?? 0) / 1e6;
    const sinceDelivery = this.lastDelivered === 0 ? Number.POSITIVE_INFINITY : performance.now() - this.lastDelivered;
    if (sinceDelivery < hbMs && !this.stalled) return;
    const to = this.config.deliver_subject!;
    if (!this.host.hasInterest(to, this.config.deliver_group)) return;
    this.host.send(to, undefined, BLANK_REPLY, Status.idleHeartbeat(this.deliveredCseq, this.deliveredSseq, this.stalled ? this.fcOutstanding : undefined), new Uint8Array(0));
  }

  private checkInactive(thresholdMs: number): void {
    if (this.isPush) {
      if (this.pushBound) this.lastActivity = Date.now();
    } else if (this.waiting.length > 0) {
      this.lastActivity = Date.now();
    }
    if (Date.now() - this.lastActivity >= thresholdMs) this.host.expired(this);
  }

  // ---- info and lifecycle --------------------------------------------------------------------------

  info(): ConsumerInfo {
    const delivered: ConsumerInfo["delivered"] = { consumer_seq: this.deliveredCseq, stream_seq: this.deliveredSseq };
    if (this.lastDelivered > 0) delivered.last_active = rfc3339(nsAt(this.lastDelivered));
    const ackFloor: ConsumerInfo["ack_floor"] = { consumer_seq: this.ackCseq, stream_seq: this.ackSseq };
    if (this.lastAcked > 0) ackFloor.last_active = rfc3339(nsAt(this.lastAcked));
    const info: ConsumerInfo = {
      stream_name: this.stream.name,
      name: this.name,
      created: rfc3339(this.created),
      config: this.config,
      delivered,
      ack_floor: ackFloor,
      num_ack_pending: this.pending.size,
      num_redelivered: this.redelivered.size,
      num_waiting: this.waiting.length,
      num_pending: this.numPending(),
    };
    if (this.pushBound) info.push_bound = true;
    return info;
  }

  /** Applies an updated configuration (already checked to be compatible). */
  update(config: ConsumerConfig): void {
    this.config = config;
    this.filters = filtersOf(config);
    this.samplePercent = samplePercent(config);
    this.pendingCount = -1;
    this.stop(false);
    this.armTimers();
    this.kick();
  }

  /** Stops timers; with `deleted`, waiting pull requests are told the consumer is gone. */
  stop(deleted: boolean): void {
    clearTimeout(this.redeliveryTimer);
    clearInterval(this.heartbeatTimer);
    clearInterval(this.inactivityTimer);
    clearTimeout(this.expiryTimer);
    clearTimeout(this.replayTimer);
    clearTimeout(this.rateTimer);
    clearImmediate(this.pushImmediate);
    this.pushImmediate = undefined;
    this.redeliveryTimer = this.heartbeatTimer = this.inactivityTimer = undefined;
    this.expiryTimer = this.replayTimer = this.rateTimer = undefined;
    if (!deleted) return;
    this.deleted = true;
    for (const w of this.waiting.splice(0)) {
      clearInterval(w.hbTimer);
      this.status(w.reply, Status.consumerDeleted());
    }
  }
}

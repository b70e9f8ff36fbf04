import { BLANK_REPLY, decimalDigits, randomBase62, writeDecimal } from "@tsnats/protocol";
import type { AccountStore, StoredMessage, StreamStore } from "@tsnats/store";
import { Sublist, subjectMatches, subjectsCollide } from "@tsnats/subject";
import { type AccountInfo, type AccountLimits, RetentionPolicy, type StreamConfig } from "./api-types.js";
import { JsApiError, JsErrors, type apiError } from "./errors.js";
import { type Consumer, type ConsumerHost } from "./consumer.js";
import { type CreateTarget, consumerRecord, createConsumer, restoreConsumer } from "./consumers.js";
import { Stream, type StreamHost } from "./stream.js";
import { type SourceHost, SourceLink, sourceIndexName } from "./sourcing.js";
import { checkCreate, checkUpdate, normalizeStreamConfig, sameConfig } from "./stream-config.js";
import { nowNs, rfc3339 } from "./time.js";

/** An account's JetStream limits; -1 means unlimited. */
export interface JetStreamLimits {
  maxMemory: number;
  maxStorage: number;
  maxStreams: number;
  maxConsumers: number;
}

/** nats-server's default `sync_interval`: committed data reaches the disk at least this often. */
export const DEFAULT_SYNC_INTERVAL = 2 * 60 * 1000;

/** How often changed consumer states (delivered, acked, pending) are written, in ms. */
const CONSUMER_STATE_INTERVAL = 100;

export const UNLIMITED: JetStreamLimits = Object.freeze({ maxMemory: -1, maxStorage: -1, maxStreams: -1, maxConsumers: -1 });

/** What an account's JetStream needs from the shard that hosts it. */
export interface AccountHost {
  /**
   * Publishes into this account: API responses, acks, republish, consumer deliveries (routed on `subject`,
   * showing `shown` when given). A BLANK_REPLY is no reply written as an empty token, as nats-server
   * writes PubAcks, statuses, heartbeats and advisories (`MSG <subject> <sid>  <size>`). `once`: the subject
   * is a requester's reply subject (PubAcks, API responses), which clients make new for every request, so
   * routing skips the match caches for it. `replyOf`: for a PubAck, the reference the host gave with the
   * publish it answers (publishToStream), so it may name the subject by that publish; -1 otherwise.
   */
  publish(subject: string, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array, shown?: string, once?: boolean, replyOf?: number): void;
  /** Whether anyone in (or importing from) the account listens on `subject`, in queue group `queue` if given. */
  hasInterest(subject: string, queue?: string): boolean;
  /**
   * Subscribes the server itself to `subject` in the account (sources and mirrors receive their origin's
   * deliveries so); messages are handed to `handler` synchronously. Returns the unsubscribe.
   */
  subscribe(subject: string, handler: (subject: string, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array) => void): () => void;
  /**
   * The set of subjects the account's streams capture changed (the host's routing shortcuts that assumed
   * a subject goes to no stream are out of date).
   */
  capturesChanged?(): void;
  /** Size of a message as a storage kind counts it. */
  messageSize(subject: string, headers: Uint8Array | undefined, data: Uint8Array, memory: boolean): number;
  /** The server's own limits (max_memory_store, max_file_store) and what all accounts use, when it has them. */
  readonly server?: ServerResources;
}

/** JetStream resources of the whole server, across accounts (and shards). */
export interface ServerResources {
  /** The server's limit for memory (`memory`) or file storage, -1 for none. */
  limit(memory: boolean): number;
  /** Bytes stored by all accounts. */
  used(memory: boolean): number;
  /** Bytes reserved by all streams' max_bytes. */
  reserved(memory: boolean): number;
  /** This account's stored bytes changed by `delta`. */
  usageChanged(memory: boolean, delta: number): void;
  /** Some stream's max_bytes or storage changed, or a stream came or went. */
  reservationsChanged(): void;
}

interface CaptureEntry {
  readonly subject: string;
  readonly queue: undefined;
  readonly stream: Stream;
}

/** A reply that must wait for the commit that makes what it reports durable. */
interface PendingReply {
  subject: string;
  blank: boolean;
  headers: Uint8Array | undefined;
  data: Uint8Array;
  /** The host's reference to the publish a PubAck answers, -1 for other replies. */
  replyOf: number;
}

/**
 * JetStream for one account: its streams (and later consumers), the subject index that tells which
 * stream captures a published message, its limits and API counters. Everything the account writes is
 * made durable by `commit()`, which the shard calls once per batch of work; replies (PubAcks, API
 * responses) are held until then, so nothing is acknowledged that a crash could lose.
 */
export class AccountJetStream {
  readonly streams = new Map<string, Stream>();
  private readonly captures = new Sublist<CaptureEntry>();
  readonly api = { total: 0, errors: 0 };
  private pending: PendingReply[] = [];
  private dirty = false;
  /**
   * Durable consumers whose state changed since it was last saved. Their states are saved at most every
   * CONSUMER_STATE_INTERVAL (acks and deliveries change them all the time; like nats-server, a crash may
   * forget the last moments of acks, which are then redelivered), their configurations at the next commit.
   */
  private readonly dirtyConsumers = new Set<Consumer>();
  private consumerConfigChanged = false;
  private consumerSaveDue = 0;
  private consumerTimer: NodeJS.Timeout | undefined;
  /** Streams that got messages since the last commit: their consumers deliver after it. */
  private readonly fresh = new Set<Stream>();

  private readonly syncTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly account: string,
    readonly limits: JetStreamLimits,
    readonly store: AccountStore,
    private readonly host: AccountHost,
    /** How often committed data is flushed to disk (ms); 0: the store syncs every commit itself. */
    syncInterval = DEFAULT_SYNC_INTERVAL,
  ) {
    if (syncInterval > 0) {
      this.syncTimer = setInterval(() => this.store.sync(), syncInterval);
      this.syncTimer.unref?.();
    }
    for (const rec of store.streams()) {
      let cfg: StreamConfig;
      try {
        cfg = JSON.parse(rec.config) as StreamConfig;
      } catch {
        continue;
      }
      const stream = new Stream(cfg, rec, store.openStream(rec), this.streamHost);
      this.addStream(stream);
      for (const c of store.consumers(rec.name)) if (restoreConsumer(stream, c, this.consumerHost)?.isPush) this.pushCount++;
    }
  }

  /** What consumers use to reach the account. */
  readonly consumerHost: ConsumerHost = {
    send: (subject, shown, reply, headers, data) => this.host.publish(subject, reply, headers, data, shown),
    hasInterest: (subject, queue) => this.host.hasInterest(subject, queue),
    changed: (c) => {
      if (!c.ephemeral) this.dirtyConsumers.add(c);
    },
    acked: (c, seq) => this.acked(c.stream, seq),
    expired: (c) => this.removeConsumer(c.stream, c),
    advisory: (subject, body) => this.advisory(subject, body),
    now: () => nowNs(),
  };

  private readonly streamHost: StreamHost = {
    publish: (subject, reply, headers, data) => this.host.publish(subject, reply, headers, data),
    messageSize: (subject, headers, data, memory) => this.host.messageSize(subject, headers, data, memory),
    stored: (stream) => {
      this.dirty = true;
      this.fresh.add(stream);
    },
    expired: () => {
      this.dirty = true;
      this.commit();
    },
    admit: (stream, size) => this.admit(stream.memory, size),
    usage: (stream, delta) => this.usageChanged(stream.memory, delta),
  };

  /** Bytes stored in the account's memory and file streams. */
  private usedMemory = 0;
  private usedStorage = 0;

  private usageChanged(memory: boolean, delta: number): void {
    if (memory) this.usedMemory += delta;
    else this.usedStorage += delta;
    this.host.server?.usageChanged(memory, delta);
  }

  /**
   * Whether `size` more bytes may be stored: the account's limit counts the new message (10002 past it),
   * the server's limit refuses once it is already exceeded (10023), as nats-server checks them.
   */
  private admit(memory: boolean, size: number): Parameters<typeof apiError>[0] | undefined {
    const limit = memory ? this.limits.maxMemory : this.limits.maxStorage;
    if (limit > 0 && (memory ? this.usedMemory : this.usedStorage) + size > limit) return JsErrors.AccountResourcesExceeded;
    const server = this.host.server;
    if (server !== undefined) {
      const max = server.limit(memory);
      if (max > 0 && server.used(memory) > max) return JsErrors.InsufficientResources;
    }
    return undefined;
  }

  private addStream(stream: Stream): void {
    this.streams.set(stream.name, stream);
    this.startLinks(stream);
    if (stream.bytes !== 0) this.usageChanged(stream.memory, stream.bytes);
    this.host.server?.reservationsChanged();
    for (const s of stream.config.subjects ?? []) this.captures.insert({ subject: s, queue: undefined, stream });
    this.host.capturesChanged?.();
  }

  private removeStreamIndex(stream: Stream): void {
    for (const e of this.captures.all()) if (e.stream === stream) this.captures.remove(e);
    this.host.capturesChanged?.();
  }

  /**
   * Whether no stream captures `subject`, nor (with `siblings`) any subject that differs from it in the
   * last token alone.
   */
  capturesNone(subject: string, siblings: boolean): boolean {
    const r = this.captures.matchOnce(subject);
    return r.psubs.length === 0 && (!siblings || this.captures.lastTokenFree(subject));
  }

  // ---- the publish path ----------------------------------------------------------------------

  /** The stream that captures messages on `subject`, if any (`once`: a subject that will not repeat, see AccountHost). */
  streamFor(subject: string, once = false): Stream | undefined {
    // `once` subjects reaching here are reply subjects (acks were taken before): their siblings come next,
    // and nearly always no stream captures anything under their first token (`_INBOX`).
    if (once && this.captures.firstTokenMisses(subject)) return undefined;
    const r = once ? this.captures.matchSibling(subject) : this.captures.match(subject);
    return r.psubs.length > 0 ? r.psubs[0].stream : undefined;
  }

  /**
   * A message published in the account on a stream's subject: stored, and acknowledged (after the
   * commit) when it came with a reply subject. `replyOf`: the host's reference to this publish, given
   * back with the PubAck (AccountHost.publish).
   */
  publishToStream(stream: Stream, subject: string, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array, replyOf = -1): void {
    const out = stream.publish(subject, headers, data, nowNs());
    this.dirty = true;
    // Interest retention keeps a message only while some consumer still has to see it (nats-server acks
    // a message no consumer wants, with its sequence, and does not keep it).
    if ("ack" in out && !out.ack.duplicate && stream.config.retention === RetentionPolicy.Interest) {
      let wanted = false;
      for (const c of stream.consumers.values()) if (!c.hasAcked(out.ack.seq)) wanted = true;
      if (!wanted) stream.removeMessage(out.ack.seq, undefined);
    }
    if (reply === undefined || "silent" in out || stream.config.no_ack) return;
    if ("ack" in out) this.pending.push({ subject: reply, blank: true, headers: undefined, data: pubAckBytes(out.ack), replyOf });
    else this.reply(reply, { error: out.error, stream: out.stream, seq: 0 }, true);
  }

  /** Queues a JSON reply for after the commit (`blank`: with an empty reply token, as PubAcks are). */
  reply(subject: string, body: unknown, blank = false): void {
    this.pending.push({ subject, blank, headers: undefined, data: Buffer.from(JSON.stringify(body)), replyOf: -1 });
  }

  /** Queues a raw reply (direct get) for after the commit. */
  replyRaw(subject: string, headers: Uint8Array | undefined, data: Uint8Array): void {
    this.pending.push({ subject, blank: true, headers, data, replyOf: -1 });
  }

  get hasWork(): boolean {
    if (this.dirty || this.pending.length > 0 || this.fresh.size > 0) return true;
    return this.dirtyConsumers.size > 0 && (this.consumerConfigChanged || Date.now() >= this.consumerSaveDue);
  }

  /**
   * Makes the account's writes durable (messages, consumer states), then sends the replies that were
   * waiting for it, then lets consumers deliver what was just stored.
   */
  commit(force = false): void {
    const saveConsumers = this.dirtyConsumers.size > 0 && (force || this.consumerConfigChanged || Date.now() >= this.consumerSaveDue);
    if (saveConsumers) {
      for (const c of this.dirtyConsumers) {
        this.store.saveConsumer(c.stream.name, consumerRecord(c));
      }
      this.dirtyConsumers.clear();
      this.consumerConfigChanged = false;
      this.consumerSaveDue = Date.now() + CONSUMER_STATE_INTERVAL;
    } else if (this.dirtyConsumers.size > 0 && this.consumerTimer === undefined) {
      this.consumerTimer = setTimeout(() => {
        this.consumerTimer = undefined;
        this.commit();
      }, Math.max(1, this.consumerSaveDue - Date.now()));
      this.consumerTimer.unref?.();
    }
    if (this.dirty || saveConsumers) {
      this.store.commit();
      this.dirty = false;
    }
    if (this.pending.length > 0) {
      const replies = this.pending;
      this.pending = [];
      for (const r of replies) this.host.publish(r.subject, r.blank ? BLANK_REPLY : undefined, r.headers, r.data, undefined, true, r.replyOf);
    }
    if (this.fresh.size > 0) {
      const streams = [...this.fresh];
      this.fresh.clear();
      for (const s of streams) for (const c of s.consumers.values()) c.kick();
    }
  }

  markDirty(): void {
    this.dirty = true;
  }

  // ---- streams -------------------------------------------------------------------------------

  createStream(raw: unknown, subjectName: string): { stream: Stream; created: boolean } {
    const cfg = normalizeStreamConfig(raw, subjectName);
    const existing = this.streams.get(cfg.name);
    if (existing !== undefined) {
      if (sameConfig(existing.config, cfg)) return { stream: existing, created: false };
      throw new JsApiError(JsErrors.StreamNameExist);
    }
    checkCreate(cfg);
    this.checkOverlap(cfg, undefined);
    this.checkResources(cfg, undefined);
    if (this.limits.maxStreams > 0 && this.streams.size >= this.limits.maxStreams) throw new JsApiError(JsErrors.MaximumStreamsLimit);
    const { record, store } = this.store.createStream(cfg.name, JSON.stringify(cfg), cfg.storage === "memory");
    const stream = new Stream(cfg, record, store, this.streamHost);
    this.addStream(stream);
    this.dirty = true;
    this.streamAdvisory("CREATED", cfg.name, "create");
    return { stream, created: true };
  }

  updateStream(raw: unknown, subjectName: string): Stream {
    const cfg = normalizeStreamConfig(raw, subjectName);
    const stream = this.streams.get(cfg.name);
    if (stream === undefined) throw new JsApiError(JsErrors.StreamNotFound);
    checkUpdate(stream.config, cfg);
    this.checkOverlap(cfg, stream);
    this.checkResources(cfg, stream);
    this.removeStreamIndex(stream);
    const resource = (c: StreamConfig) => JSON.stringify([c.mirror, c.sources]);
    const relink = resource(stream.config) !== resource(cfg);
    stream.update(cfg);
    if (relink) {
      this.stopLinks(stream);
      this.startLinks(stream);
    }
    this.host.server?.reservationsChanged();
    for (const s of cfg.subjects ?? []) this.captures.insert({ subject: s, queue: undefined, stream });
    this.host.capturesChanged?.();
    if (!stream.memory) this.store.updateStreamConfig(cfg.name, JSON.stringify(cfg));
    this.dirty = true;
    this.streamAdvisory("UPDATED", cfg.name, "modify");
    return stream;
  }

  deleteStream(name: string): void {
    const stream = this.streams.get(name);
    if (stream === undefined) throw new JsApiError(JsErrors.StreamNotFound);
    // The stream goes with all its messages: no interest sweep after each consumer.
    for (const c of [...stream.consumers.values()]) this.removeConsumer(stream, c, false);
    this.removeStreamIndex(stream);
    this.streams.delete(name);
    if (stream.bytes !== 0) this.usageChanged(stream.memory, -stream.bytes);
    this.host.server?.reservationsChanged();
    this.stopLinks(stream);
    stream.stop();
    this.store.deleteStream(name);
    this.dirty = true;
    this.streamAdvisory("DELETED", name, "delete");
  }

  private streamAdvisory(event: string, stream: string, action: string): void {
    this.advisory(`$JS.EVENT.ADVISORY.STREAM.${event}.${stream}`, { type: "io.nats.jetstream.advisory.v1.stream_action", stream, action });
  }

  stream(name: string): Stream {
    const s = this.streams.get(name);
    if (s === undefined) throw new JsApiError(JsErrors.StreamNotFound);
    return s;
  }

  private checkOverlap(cfg: StreamConfig, self: Stream | undefined): void {
    for (const other of this.streams.values()) {
      if (other === self) continue;
      for (const a of cfg.subjects ?? []) {
        for (const b of other.config.subjects ?? []) if (subjectsCollide(a, b)) throw new JsApiError(JsErrors.StreamSubjectOverlap);
      }
    }
  }

  /** A stream's max_bytes is reserved against the account's and the server's memory or storage limit. */
  private checkResources(cfg: StreamConfig, self: Stream | undefined): void {
    const memory = cfg.storage === "memory";
    if (cfg.max_bytes <= 0) return;
    const refuse = () => new JsApiError(memory ? JsErrors.MemoryResourcesExceeded : JsErrors.StorageResourcesExceeded);
    const limit = memory ? this.limits.maxMemory : this.limits.maxStorage;
    if (limit > 0 && this.reserved(memory, self) + cfg.max_bytes > limit) throw refuse();
    const server = this.host.server;
    const max = server?.limit(memory) ?? -1;
    if (server !== undefined && max > 0) {
      const own = self !== undefined && self.memory === memory && self.config.max_bytes > 0 ? self.config.max_bytes : 0;
      if (server.reserved(memory) - own + cfg.max_bytes > max) throw refuse();
    }
  }

  /** The max_bytes reserved by the account's streams of a storage kind (but `except`). */
  reserved(memory: boolean, except?: Stream): number {
    let n = 0;
    for (const s of this.streams.values()) if (s !== except && s.memory === memory && s.config.max_bytes > 0) n += s.config.max_bytes;
    return n;
  }

  // ---- sources and mirrors ------------------------------------------------------------------------

  /**
   * Starts the links that feed a mirror or a sourcing stream, once the current work is done (they send API
   * requests, maybe to this very account, which must not run inside the request that made the stream).
   */
  private startLinks(stream: Stream): void {
    const cfg = stream.config;
    const sources = cfg.mirror !== undefined ? [cfg.mirror] : (cfg.sources ?? []);
    if (sources.length === 0) return;
    const mirror = cfg.mirror !== undefined;
    const host: SourceHost = {
      publish: (subject, reply, headers, data) => this.host.publish(subject, reply, headers, data),
      subscribe: (subject, handler) => this.host.subscribe(subject, handler),
      storeMirrored: (seq, subject, headers, data, time) => {
        if (this.streams.get(stream.name) === stream) stream.storeMirrored(seq, subject, headers, data, time);
      },
      storeSourced: (subject, headers, data) => {
        if (this.streams.get(stream.name) === stream) this.publishToStream(stream, subject, undefined, headers, data);
      },
    };
    stream.links = sources.map((src) => new SourceLink(src, mirror, host, stream.lastSourced(sourceIndexName(src), mirror)));
    const links = stream.links;
    queueMicrotask(() => {
      if (stream.links === links) for (const l of links) l.start();
    });
  }

  private stopLinks(stream: Stream): void {
    for (const l of stream.links) l.stop();
    stream.links = [];
  }

  // ---- consumers -------------------------------------------------------------------------------

  private consumerCountAll(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.consumers.size;
    return n;
  }

  createConsumer(streamName: string, raw: unknown, target: CreateTarget): Consumer {
    const stream = this.stream(streamName);
    const max = this.limits.maxConsumers;
    const full = max > 0 && this.consumerCountAll() >= max;
    const { consumer, created, updated } = createConsumer(stream, raw, target, this.consumerHost, nowNs(), full);
    // A new or changed durable is saved with the next commit (before the reply); a same-config re-create is no change.
    if ((created || updated) && !consumer.ephemeral) {
      this.dirtyConsumers.add(consumer);
      this.consumerConfigChanged = true;
    }
    if (created) {
      if (consumer.isPush) this.pushCount++;
      this.advisory(`$JS.EVENT.ADVISORY.CONSUMER.CREATED.${stream.name}.${consumer.name}`, {
        type: "io.nats.jetstream.advisory.v1.consumer_action",
        stream: stream.name,
        consumer: consumer.name,
        action: "create",
      });
    }
    this.fresh.add(stream);
    return consumer;
  }

  consumer(streamName: string, name: string): Consumer {
    const c = this.stream(streamName).consumers.get(name);
    if (c === undefined) throw new JsApiError(JsErrors.ConsumerNotFound);
    return c;
  }

  removeConsumer(stream: Stream, c: Consumer, sweep = true): void {
    if (stream.consumers.get(c.name) !== c) return;
    stream.consumers.delete(c.name);
    if (c.isPush) this.pushCount--;
    c.stop(true);
    this.dirtyConsumers.delete(c);
    if (!c.ephemeral) this.store.deleteConsumer(stream.name, c.name);
    this.dirty = true;
    this.advisory(`$JS.EVENT.ADVISORY.CONSUMER.DELETED.${stream.name}.${c.name}`, {
      type: "io.nats.jetstream.advisory.v1.consumer_action",
      stream: stream.name,
      consumer: c.name,
      action: "delete",
    });
    // Interest retention: messages only this consumer was holding back may go now.
    if (sweep && stream.config.retention === RetentionPolicy.Interest) this.sweepInterest(stream);
  }

  /** A consumer is done with `seq`: workqueue streams drop it; interest streams once every consumer is. */
  private acked(stream: Stream, seq: number): void {
    const retention = stream.config.retention;
    if (retention === RetentionPolicy.Workqueue) {
      if (stream.removeMessage(seq, undefined)) this.dirty = true;
    } else if (retention === RetentionPolicy.Interest) {
      const subject = stream.filteredConsumers ? stream.store.get(seq)?.subject : undefined;
      for (const c of stream.consumers.values()) if (!c.hasAcked(seq, subject)) return;
      if (stream.removeMessage(seq, subject)) this.dirty = true;
    }
  }

  private sweepInterest(stream: Stream): void {
    const st = stream.store.state();
    for (let m = stream.store.next(st.firstSeq); m !== undefined; m = stream.store.next(m.seq + 1)) {
      let all = true;
      for (const c of stream.consumers.values()) {
        if (!c.hasAcked(m.seq, m.subject)) {
          all = false;
          break;
        }
      }
      if (all) {
        stream.removeMessage(m.seq, m.subject);
        this.dirty = true;
      }
    }
  }

  /** Acks (`$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`) and flow-control replies. */
  handleAck(subject: string, reply: string | undefined, data: Uint8Array): boolean {
    // `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`: one per delivered message,
    // so the tokens are found by position rather than split into nine strings.
    const d = tokenEnds(subject, 8);
    if (d === undefined) return false;
    return this.ackConsumer(subject.slice(d[1] + 1, d[2]), subject.slice(d[2] + 1, d[3]), Number(subject.slice(d[4] + 1, d[5])), data, reply);
  }

  /** An ack for stream sequence `sseq` of a consumer, its subject already read; false when there is no such consumer. */
  ackConsumer(stream: string, consumer: string, sseq: number, data: Uint8Array, reply: string | undefined): boolean {
    const c = this.streams.get(stream)?.consumers.get(consumer);
    if (c === undefined) return false;
    c.ack(sseq, data, reply);
    return true;
  }

  handleFlowControl(subject: string): boolean {
    const t = subject.split(".");
    if (t.length !== 5) return false;
    const c = this.streams.get(t[2])?.consumers.get(t[3]);
    if (c === undefined) return false;
    c.flowControlReply(subject);
    return true;
  }

  /** How many push consumers the account has (most subscriptions need not look for them). */
  private pushCount = 0;

  /** Someone subscribed to `subject` in the account: push consumers delivering there may start. */
  interestChanged(subject: string): void {
    if (this.pushCount === 0) return;
    for (const s of this.streams.values()) {
      for (const c of s.consumers.values()) {
        if (c.isPush && subjectMatches(c.config.deliver_subject!, subject)) this.fresh.add(s);
      }
    }
  }

  /** An advisory, when someone listens (or a stream keeps it): most are never built. */
  private advisory(subject: string, body: Record<string, unknown>): void {
    if (!this.host.hasInterest(subject) && this.streamFor(subject) === undefined) return;
    const full = { type: body.type, id: randomBase62(22), timestamp: rfc3339(nowNs()), ...body };
    this.host.publish(subject, BLANK_REPLY, undefined, Buffer.from(JSON.stringify(full)));
  }

  // ---- account info --------------------------------------------------------------------------

  info(): AccountInfo {
    const memory = this.usedMemory;
    const storage = this.usedStorage;
    const consumers = this.consumerCountAll();
    const l = this.limits;
    const limits: AccountLimits = {
      max_memory: l.maxMemory,
      max_storage: l.maxStorage,
      max_streams: l.maxStreams,
      max_consumers: l.maxConsumers,
      max_ack_pending: -1,
      memory_max_stream_bytes: -1,
      storage_max_stream_bytes: -1,
      max_bytes_required: false,
    };
    return { memory, storage, streams: this.streams.size, consumers, limits, api: { ...this.api } };
  }

  close(): void {
    this.commit(true);
    clearTimeout(this.consumerTimer);
    clearInterval(this.syncTimer);
    for (const s of this.streams.values()) {
      this.stopLinks(s);
      s.stop();
    }
    this.store.close();
  }
}

export type { StoredMessage, StreamStore };

/**
 * A PubAck byte for byte as nats-server writes it (its own formatting, not a JSON encoder's):
 * `{"stream":"S", "seq":1}` and `{"stream":"S", "seq":2,"duplicate": true}`.
 */
/** `{"stream":<name>, "seq":` per stream name, as bytes: a PubAck per stored message only appends the rest. */
const pubAckHeads = new Map<string, Buffer>();
const DUPLICATE_TAIL = Buffer.from(',"duplicate": true}');

/** The PubAck's bytes exactly as nats-server writes them: `{"stream":"S", "seq":1}` (`,"duplicate": true`). */
function pubAckBytes(ack: { stream: string; seq: number; duplicate?: boolean }): Uint8Array {
  let head = pubAckHeads.get(ack.stream);
  if (head === undefined) {
    if (pubAckHeads.size >= 4096) pubAckHeads.clear();
    head = Buffer.from(`{"stream":${JSON.stringify(ack.stream)}, "seq":`);
    pubAckHeads.set(ack.stream, head);
  }
  const digits = decimalDigits(ack.seq);
  const out = pubAckSpace(head.length + digits + (ack.duplicate ? DUPLICATE_TAIL.length : 1));
  out.set(head, 0);
  const at = writeDecimal(out, head.length, ack.seq, digits);
  if (ack.duplicate) out.set(DUPLICATE_TAIL, at);
  else out[at] = 0x7d; // }
  return out;
}

/** PubAcks are cut from shared slabs (never overwritten: a slab is dropped once full, freed with its last ack). */
const PUBACK_SLAB = 8192;
let pubAckSlab = new ArrayBuffer(PUBACK_SLAB);
let pubAckUsed = 0;

/**
 * `n` fresh bytes for a PubAck: a view of a slab, so each PubAck is one small object (a Uint8Array of its
 * own also made an ArrayBuffer object, one PubAck per published message; a Buffer slice costs more still).
 */
function pubAckSpace(n: number): Uint8Array {
  if (pubAckUsed + n > PUBACK_SLAB) {
    pubAckSlab = new ArrayBuffer(PUBACK_SLAB);
    pubAckUsed = 0;
  }
  const out = new Uint8Array(pubAckSlab, pubAckUsed, n);
  pubAckUsed += n;
  return out;
}

const dots = new Int32Array(16);

/**
 * The positions of the dots of `subject` when it has exactly `count` of them (then `count + 1` tokens), in
 * a shared array valid until the next call; undefined otherwise.
 */
function tokenEnds(subject: string, count: number): Int32Array | undefined {
  let n = 0;
  for (let i = subject.indexOf("."); i >= 0; i = subject.indexOf(".", i + 1)) {
    if (n === count) return undefined;
    dots[n++] = i;
  }
  return n === count ? dots : undefined;
}

import type { AccountStore, StoredMessage, StreamStore } from "@tsnats/store";
import { Sublist, subjectsCollide } from "@tsnats/subject";
import type { AccountInfo, AccountLimits, StreamConfig } from "./api-types.js";
import { JsApiError, JsErrors } from "./errors.js";
import { Stream, type StreamHost } from "./stream.js";
import { checkCreate, checkUpdate, normalizeStreamConfig, sameConfig } from "./stream-config.js";
import { nowNs } from "./time.js";

/** An account's JetStream limits; -1 means unlimited. */
export interface JetStreamLimits {
  maxMemory: number;
  maxStorage: number;
  maxStreams: number;
  maxConsumers: number;
}

/** nats-server's default `sync_interval`: committed data reaches the disk at least this often. */
export const DEFAULT_SYNC_INTERVAL = 2 * 60 * 1000;

export const UNLIMITED: JetStreamLimits = Object.freeze({ maxMemory: -1, maxStorage: -1, maxStreams: -1, maxConsumers: -1 });

/** What an account's JetStream needs from the shard that hosts it. */
export interface AccountHost {
  /** Publishes into this account: API responses, acks, stream republish. */
  publish(subject: string, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array): void;
  /** Size of a message as a storage kind counts it. */
  messageSize(subject: string, headers: Uint8Array | undefined, data: Uint8Array, memory: boolean): number;
}

interface CaptureEntry {
  readonly subject: string;
  readonly queue: undefined;
  readonly stream: Stream;
}

/** A reply that must wait for the commit that makes what it reports durable. */
interface PendingReply {
  subject: string;
  headers: Uint8Array | undefined;
  data: Uint8Array;
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
      this.addStream(new Stream(cfg, rec, store.openStream(rec), this.streamHost));
    }
  }

  private readonly streamHost: StreamHost = {
    publish: (subject, reply, headers, data) => this.host.publish(subject, reply, headers, data),
    messageSize: (subject, headers, data, memory) => this.host.messageSize(subject, headers, data, memory),
    stored: () => {
      this.dirty = true;
    },
    expired: () => {
      this.dirty = true;
      this.commit();
    },
  };

  private addStream(stream: Stream): void {
    this.streams.set(stream.name, stream);
    for (const s of stream.config.subjects ?? []) this.captures.insert({ subject: s, queue: undefined, stream });
  }

  private removeStreamIndex(stream: Stream): void {
    for (const e of this.captures.all()) if (e.stream === stream) this.captures.remove(e);
  }

  // ---- the publish path ----------------------------------------------------------------------

  /** The stream that captures messages on `subject`, if any. */
  streamFor(subject: string): Stream | undefined {
    const r = this.captures.match(subject);
    return r.psubs.length > 0 ? r.psubs[0].stream : undefined;
  }

  /**
   * A message published in the account on a stream's subject: stored, and acknowledged (after the
   * commit) when it came with a reply subject.
   */
  publishToStream(stream: Stream, subject: string, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array): void {
    const out = stream.publish(subject, headers, data, nowNs());
    this.dirty = true;
    if (reply === undefined || "silent" in out || stream.config.no_ack) return;
    const body = "ack" in out ? out.ack : { error: out.error, stream: out.stream, seq: 0 };
    this.reply(reply, body);
  }

  /** Queues a JSON reply for after the commit. */
  reply(subject: string, body: unknown): void {
    this.pending.push({ subject, headers: undefined, data: Buffer.from(JSON.stringify(body)) });
  }

  /** Queues a raw reply (direct get) for after the commit. */
  replyRaw(subject: string, headers: Uint8Array | undefined, data: Uint8Array): void {
    this.pending.push({ subject, headers, data });
  }

  get hasWork(): boolean {
    return this.dirty || this.pending.length > 0;
  }

  /** Makes the account's writes durable, then sends the replies that were waiting for it. */
  commit(): void {
    if (this.dirty) {
      this.store.commit();
      this.dirty = false;
    }
    if (this.pending.length === 0) return;
    const replies = this.pending;
    this.pending = [];
    for (const r of replies) this.host.publish(r.subject, undefined, r.headers, r.data);
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
    stream.update(cfg);
    for (const s of cfg.subjects ?? []) this.captures.insert({ subject: s, queue: undefined, stream });
    if (!stream.memory) this.store.updateStreamConfig(cfg.name, JSON.stringify(cfg));
    this.dirty = true;
    return stream;
  }

  deleteStream(name: string): void {
    const stream = this.streams.get(name);
    if (stream === undefined) throw new JsApiError(JsErrors.StreamNotFound);
    this.removeStreamIndex(stream);
    this.streams.delete(name);
    stream.stop();
    this.store.deleteStream(name);
    this.dirty = true;
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

  /** A stream's max_bytes is reserved against the account's memory or storage limit. */
  private checkResources(cfg: StreamConfig, self: Stream | undefined): void {
    const memory = cfg.storage === "memory";
    const limit = memory ? this.limits.maxMemory : this.limits.maxStorage;
    if (limit <= 0 || cfg.max_bytes <= 0) return;
    let reserved = 0;
    for (const s of this.streams.values()) if (s !== self && s.memory === memory && s.config.max_bytes > 0) reserved += s.config.max_bytes;
    if (reserved + cfg.max_bytes > limit) throw new JsApiError(memory ? JsErrors.MemoryResourcesExceeded : JsErrors.StorageResourcesExceeded);
  }

  // ---- account info --------------------------------------------------------------------------

  info(): AccountInfo {
    let memory = 0;
    let storage = 0;
    let consumers = 0;
    for (const s of this.streams.values()) {
      const bytes = s.store.state().bytes;
      if (s.memory) memory += bytes;
      else storage += bytes;
      consumers += s.consumerCount;
    }
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
    clearInterval(this.syncTimer);
    for (const s of this.streams.values()) s.stop();
    this.store.close();
  }
}

export type { StoredMessage, StreamStore };

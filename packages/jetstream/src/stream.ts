import type { StoredMessage, StreamRecord, StreamStore } from "@tsnats/store";
import { BLANK_REPLY, REQUEST_INFO_HEADER, withHeader, withoutHeader } from "@tsnats/protocol";
import { subjectIsLiteral, subjectMatches } from "@tsnats/subject";
import { DiscardPolicy, type PubAck, type PurgeRequest, type StreamConfig, type StreamInfo, type StreamStateWire } from "./api-types.js";
import { type ApiError } from "./api-types.js";
import { JsApiError, JsErrors, apiError } from "./errors.js";
import { type PublishHeaders, readPublishHeaders } from "./js-headers.js";
import type { Consumer } from "./consumer.js";
import { type SourceLink, sourcedSeq } from "./sourcing.js";
import { ZERO_TIME, rfc3339 } from "./time.js";

/** What a publish into a stream came to: an ack, an error ack, or nothing at all (nats-server stays silent). */
export type PublishOutcome = { ack: PubAck } | { error: ApiError; stream: string } | { silent: true };

/** What a stream needs from its account. */
export interface StreamHost {
  /** Messages the stream sends into its account (republish). */
  publish(subject: string, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array): void;
  /** Size of a message as the stream's storage counts it (for limits). */
  messageSize(subject: string, headers: Uint8Array | undefined, data: Uint8Array, memory: boolean): number;
  /** Called when a message was stored (consumers wake up). */
  stored?(stream: Stream, msg: StoredMessage): void;
  /** Called after the age timer removed expired messages (they must be committed). */
  expired?(stream: Stream): void;
  /** A refusal when storing `size` more bytes would go over the account's or server's limits. */
  admit?(stream: Stream, size: number): Parameters<typeof apiError>[0] | undefined;
  /** The stream's stored bytes changed by `delta` (the account keeps its usage up to date). */
  usage?(stream: Stream, delta: number): void;
}

interface DedupeEntry {
  seq: number;
  time: bigint;
}

/** Messages read per turn while recovering msg-ids after a restart. */
const DEDUPE_SCAN_SLICE = 5000;
/** At most this many msg-ids are recovered (the newest). */
const MAX_RECOVERED_MSG_IDS = 1_000_000;

/**
 * A stream: its configuration, its store, and the rules of publishing into it — expected-* headers,
 * de-duplication by Nats-Msg-Id within the duplicate window, roll-ups, discard policies and limits
 * (count, bytes, per subject, age, message size), and republish.
 */
export class Stream {
  private readonly dedupe = new Map<string, DedupeEntry>();
  /** Msg-ids in insertion order, for expiring the window from the front. */
  private readonly dedupeOrder: string[] = [];
  private dedupeHead = 0;
  /**
   * After a restart, the msg-ids inside the duplicate window are read back in the background, newest
   * first, a slice per turn (a stream just filled holds its whole window: reading a million messages
   * before answering anything would make recovery as slow as the stream is long). The first publish
   * that carries a msg-id finishes the scan before it is checked.
   */
  private dedupeScan: { next: number; first: number; cutoff: bigint; found: Array<[string, DedupeEntry]>; timer: NodeJS.Immediate | undefined } | undefined;
  private lastMsgId = "";
  private ageTimer: NodeJS.Timeout | undefined;
  /** The stream's consumers, by name. */
  readonly consumers = new Map<string, Consumer>();
  /** Stored bytes as last reported to the account. */
  private reportedBytes: number;
  /** The links feeding a mirror or a sourcing stream (the account starts and stops them). */
  links: SourceLink[] = [];

  get consumerCount(): number {
    return this.consumers.size;
  }

  /** Whether some consumer has a subject filter (deciding about a message then needs its subject). */
  get filteredConsumers(): boolean {
    for (const c of this.consumers.values()) if (c.filtered) return true;
    return false;
  }

  constructor(
    public config: StreamConfig,
    readonly record: StreamRecord,
    readonly store: StreamStore,
    private readonly host: StreamHost,
  ) {
    this.reportedBytes = store.storedBytes;
    this.recoverDedupe();
    this.scheduleAge();
  }

  /** Bytes the stream holds, as the account counts them against its limits. */
  get bytes(): number {
    return this.reportedBytes;
  }

  /** Reports a change of stored bytes to the account (after every change of the stored set). */
  private reportBytes(): void {
    const now = this.store.storedBytes;
    if (now === this.reportedBytes) return;
    const delta = now - this.reportedBytes;
    this.reportedBytes = now;
    this.host.usage?.(this, delta);
  }

  get name(): string {
    return this.config.name;
  }

  get memory(): boolean {
    return this.config.storage === "memory";
  }

  /** Whether this stream captures messages published on `subject`. */
  captures(subject: string): boolean {
    for (const s of this.config.subjects ?? []) if (subjectMatches(subject, s)) return true;
    return false;
  }

  // ---- publishing ----------------------------------------------------------------------------

  publish(subject: string, headers: Uint8Array | undefined, data: Uint8Array, now: bigint): PublishOutcome {
    const cfg = this.config;
    if (cfg.sealed) return refusal(cfg, JsErrors.StreamSealed);
    // A publish that crossed a service import names its account in a header; like nats-server, the stream
    // does not keep it (and a block left empty goes too).
    if (headers !== undefined) headers = withoutHeader(headers, REQUEST_INFO_HEADER);
    const h = readPublishHeaders(headers);
    if (h !== undefined) {
      const early = this.checkHeaders(subject, h, now);
      if (early !== undefined) return early;
    }
    const size = (headers?.length ?? 0) + data.length;
    if (cfg.max_msg_size !== undefined && cfg.max_msg_size > 0 && size > cfg.max_msg_size) return refusal(cfg, JsErrors.StreamMessageExceedsMaximum);
    const msgSize = this.host.messageSize(subject, headers, data, this.memory);
    const refused = this.host.admit?.(this, msgSize);
    if (refused !== undefined) return refusal(cfg, refused);
    if (cfg.discard === DiscardPolicy.New) {
      if (cfg.max_msgs > 0 && this.store.storedMessages >= cfg.max_msgs) return refusal(cfg, JsErrors.StreamStoreFailed, { err: "maximum messages exceeded" });
      if (cfg.max_bytes > 0 && this.store.storedBytes + msgSize > cfg.max_bytes) return refusal(cfg, JsErrors.StreamStoreFailed, { err: "maximum bytes exceeded" });
      if (cfg.discard_new_per_subject && (cfg.max_msgs_per_subject ?? -1) > 0) {
        if (this.store.count(0, subject) >= cfg.max_msgs_per_subject!) {
          return refusal(cfg, JsErrors.StreamStoreFailed, { err: "maximum messages per subject exceeded" });
        }
      }
    }
    const stored = cfg.subject_transform !== undefined ? transformSubject(subject, cfg.subject_transform.src, cfg.subject_transform.dest) : subject;
    const msg = this.store.append(stored, headers, data, now);
    if (h?.msgId !== undefined && h.msgId !== "") this.rememberMsgId(h.msgId, msg.seq, now);
    this.lastMsgId = h?.msgId ?? "";
    if (h?.rollup !== undefined) this.rollup(h.rollup.toLowerCase(), stored, msg.seq);
    for (const c of this.consumers.values()) c.messageStored(msg);
    this.enforceLimits(stored);
    if (cfg.republish !== undefined) this.republish(msg);
    this.host.stored?.(this, msg);
    this.reportBytes();
    if (this.ageTimer === undefined) this.scheduleAge();
    return { ack: { stream: cfg.name, seq: msg.seq } };
  }

  /** Expected-* headers, de-duplication and roll-up permission, in nats-server's order. */
  private checkHeaders(subject: string, h: PublishHeaders, now: bigint): PublishOutcome | undefined {
    const cfg = this.config;
    if (h.msgId !== undefined && h.msgId !== "") {
      this.finishDedupeScan();
      const d = this.dedupe.get(h.msgId);
      if (d !== undefined && now - d.time <= BigInt(cfg.duplicate_window ?? 0)) {
        return { ack: { stream: cfg.name, seq: d.seq, duplicate: true } };
      }
    }
    if (h.expectedStream !== undefined && h.expectedStream !== "" && h.expectedStream !== cfg.name) return refusal(cfg, JsErrors.StreamNotMatch);
    const last = this.store.state().lastSeq;
    if (h.expectedLastSeq !== undefined && h.expectedLastSeq !== "" && Number(h.expectedLastSeq) !== last) {
      return refusal(cfg, JsErrors.StreamWrongLastSequence, { seq: last });
    }
    if (h.expectedLastSubjSeq !== undefined && h.expectedLastSubjSeq !== "") {
      const lastOfSubject = this.store.last(subject)?.seq ?? 0;
      if (Number(h.expectedLastSubjSeq) !== lastOfSubject) return refusal(cfg, JsErrors.StreamWrongLastSequence, { seq: lastOfSubject });
    }
    if (h.expectedLastMsgId !== undefined && h.expectedLastMsgId !== "" && h.expectedLastMsgId !== this.lastMsgId) {
      return refusal(cfg, JsErrors.StreamWrongLastMsgID, { id: this.lastMsgId });
    }
    if (h.rollup !== undefined) {
      if (!cfg.allow_rollup_hdrs) return refusal(cfg, JsErrors.StreamRollupFailed, { err: "rollup not permitted" });
      const r = h.rollup.toLowerCase();
      if (r !== "sub" && r !== "all") return { silent: true }; // nats-server neither stores nor answers
    }
    return undefined;
  }

  private rememberMsgId(id: string, seq: number, now: bigint): void {
    this.dedupe.set(id, { seq, time: now });
    this.dedupeOrder.push(id);
    // Expire from the front of the window.
    const window = BigInt(this.config.duplicate_window ?? 0);
    while (this.dedupeHead < this.dedupeOrder.length) {
      const oldest = this.dedupeOrder[this.dedupeHead];
      const e = this.dedupe.get(oldest);
      if (e !== undefined && now - e.time <= window) break;
      if (e !== undefined && e.seq !== seq) this.dedupe.delete(oldest);
      this.dedupeHead++;
    }
    if (this.dedupeHead > 1024 && this.dedupeHead * 2 > this.dedupeOrder.length) {
      this.dedupeOrder.splice(0, this.dedupeHead);
      this.dedupeHead = 0;
    }
  }

  /** After a restart, msg-ids of the messages still inside the duplicate window are known again. */
  private recoverDedupe(): void {
    const st = this.store.state();
    if (st.messages === 0) return;
    this.lastMsgId = readPublishHeaders(this.store.get(st.lastSeq)?.headers)?.msgId ?? "";
    const window = BigInt(this.config.duplicate_window ?? 0);
    if (window <= 0n) return;
    this.dedupeScan = { next: st.lastSeq, first: st.firstSeq, cutoff: st.lastTime - window, found: [], timer: undefined };
    this.scanDedupe(DEDUPE_SCAN_SLICE);
  }

  /** Reads up to `budget` more messages of the window; schedules the rest, or installs what was found. */
  private scanDedupe(budget: number): void {
    const scan = this.dedupeScan;
    if (scan === undefined) return;
    scan.timer = undefined;
    let done = false;
    for (let n = 0; n < budget; n++, scan.next--) {
      if (scan.next < scan.first || scan.found.length >= MAX_RECOVERED_MSG_IDS) {
        done = true;
        break;
      }
      const m = this.store.get(scan.next);
      if (m === undefined) continue;
      if (m.time < scan.cutoff) {
        done = true;
        break;
      }
      const id = readPublishHeaders(m.headers)?.msgId;
      if (id) scan.found.push([id, { seq: m.seq, time: m.time }]);
    }
    if (!done) {
      scan.timer = setImmediate(() => this.scanDedupe(DEDUPE_SCAN_SLICE));
      return;
    }
    this.dedupeScan = undefined;
    // Oldest first, as the window expires from the front; new msg-ids only arrive after the scan ended.
    for (let i = scan.found.length - 1; i >= 0; i--) {
      const [id, e] = scan.found[i];
      this.dedupe.set(id, e);
      this.dedupeOrder.push(id);
    }
  }

  private finishDedupeScan(): void {
    if (this.dedupeScan === undefined) return;
    clearImmediate(this.dedupeScan.timer);
    this.scanDedupe(Number.POSITIVE_INFINITY);
  }

  private rollup(kind: string, subject: string, seq: number): void {
    if (kind === "sub") this.store.purge({ filter: subject, seq });
    else if (kind === "all") this.store.purge({ seq });
    else return;
    this.purged();
  }

  /**
   * A mirrored message: stored under the origin's sequence and time (sequences it skips count as
   * deleted), then limits apply as to any message.
   */
  storeMirrored(seq: number, subject: string, headers: Uint8Array | undefined, data: Uint8Array, time: bigint): void {
    if (seq <= this.store.state().lastSeq) return;
    const msg = this.store.appendAt(seq, subject, headers, data, time);
    for (const c of this.consumers.values()) c.messageStored(msg);
    this.enforceLimits(subject);
    this.host.stored?.(this, msg);
    this.reportBytes();
    if (this.ageTimer === undefined) this.scheduleAge();
  }

  /** The last origin sequence this stream holds from source `iname` (found from its newest messages back). */
  lastSourced(iname: string, mirror: boolean): number {
    const st = this.store.state();
    if (mirror) return st.lastSeq;
    if (st.messages === 0) return 0;
    for (let seq = st.lastSeq; seq >= st.firstSeq; seq--) {
      const n = sourcedSeq(this.store.get(seq)?.headers, iname);
      if (n > 0) return n;
    }
    return 0;
  }

  /** Removes one message, telling the consumers (they keep count of what they have yet to deliver). */
  removeMessage(seq: number, subject: string | undefined, erase = false): boolean {
    if (subject === undefined) {
      for (const c of this.consumers.values()) {
        if (c.countsPending(seq)) {
          subject = this.store.get(seq)?.subject;
          break;
        }
      }
    }
    if (!this.store.remove(seq, erase)) return false;
    for (const c of this.consumers.values()) c.messageRemoved(seq, subject);
    this.reportBytes();
    return true;
  }

  /** After a purge: consumers skip what went and forget pending acks for it. */
  private purged(): void {
    this.reportBytes();
    if (this.consumers.size === 0) return;
    const first = this.store.state().firstSeq;
    for (const c of this.consumers.values()) c.streamPurged(first);
  }

  /** Discard-old limits after a store: oldest messages go first (per subject for the per-subject limit). */
  private enforceLimits(subject: string): void {
    const cfg = this.config;
    const perSubject = cfg.max_msgs_per_subject ?? -1;
    if (perSubject > 0) {
      const n = this.store.count(0, subject);
      if (n > perSubject) {
        // Usually one message too many (a KV put): removed one by one so consumers keep exact counts.
        if (n - perSubject <= 16) {
          for (let i = n - perSubject; i > 0; i--) {
            const oldest = this.store.next(0, subject);
            if (oldest === undefined) break;
            this.removeMessage(oldest.seq, oldest.subject);
          }
        } else {
          this.store.purge({ filter: subject, keep: perSubject });
          this.purged();
        }
      }
    }
    if (cfg.max_msgs > 0 || cfg.max_bytes > 0) this.trimToLimits();
  }

  private trimToLimits(): void {
    const cfg = this.config;
    for (;;) {
      const messages = this.store.storedMessages;
      const over = (cfg.max_msgs > 0 && messages > cfg.max_msgs) || (cfg.max_bytes > 0 && this.store.storedBytes > cfg.max_bytes);
      if (!over || messages === 0) return;
      const first = this.store.next(0);
      if (first === undefined) return;
      this.removeMessage(first.seq, first.subject);
    }
  }

  /**
   * republish: the stored message goes on to `dest` with Nats-Stream, Nats-Subject, Nats-Sequence and
   * Nats-Last-Sequence appended to its own headers (and Nats-Msg-Size, with an empty body, for headers_only),
   * in nats-server's order.
   */
  private republish(msg: StoredMessage): void {
    const rp = this.config.republish!;
    if (!subjectMatches(msg.subject, rp.src ?? ">")) return;
    const dest = mapRepublish(msg.subject, rp.src ?? ">", rp.dest);
    const st = this.store.state();
    let h = withHeader(msg.headers, "Nats-Stream", this.name);
    h = withHeader(h, "Nats-Subject", msg.subject);
    h = withHeader(h, "Nats-Sequence", String(msg.seq));
    h = withHeader(h, "Nats-Last-Sequence", String(st.lastSeq === msg.seq ? msg.seq - 1 : st.lastSeq));
    if (rp.headers_only) this.host.publish(dest, BLANK_REPLY, withHeader(h, "Nats-Msg-Size", String(msg.data.length)), new Uint8Array(0));
    else this.host.publish(dest, BLANK_REPLY, h, msg.data);
  }

  // ---- age -----------------------------------------------------------------------------------

  /** max_age: a timer fires when the oldest message expires, removes what expired and re-arms. */
  private scheduleAge(): void {
    clearTimeout(this.ageTimer);
    this.ageTimer = undefined;
    const maxAge = this.config.max_age;
    if (maxAge <= 0) return;
    const st = this.store.state();
    if (st.messages === 0) return;
    const first = this.store.next(st.firstSeq);
    if (first === undefined) return;
    const dueNs = first.time + BigInt(maxAge) - BigInt(Date.now()) * 1_000_000n;
    const dueMs = Math.max(0, Number(dueNs / 1_000_000n)) + 1;
    this.ageTimer = setTimeout(() => {
      this.ageTimer = undefined;
      this.expire(BigInt(Date.now()) * 1_000_000n);
      this.host.expired?.(this);
      this.scheduleAge();
    }, dueMs);
    this.ageTimer.unref?.();
  }

  /** Removes every message older than max_age at `now`. */
  expire(now: bigint): number {
    const maxAge = BigInt(this.config.max_age);
    if (maxAge <= 0n) return 0;
    let n = 0;
    for (;;) {
      const st = this.store.state();
      if (st.messages === 0) break;
      const first = this.store.next(st.firstSeq);
      if (first === undefined || now - first.time < maxAge) break;
      this.removeMessage(first.seq, first.subject);
      n++;
    }
    return n;
  }

  // ---- management ----------------------------------------------------------------------------

  /** Applies a new configuration (already validated), enforcing tighter limits at once. */
  update(cfg: StreamConfig): void {
    this.config = cfg;
    if (cfg.max_msgs_per_subject !== undefined && cfg.max_msgs_per_subject > 0) {
      let any = false;
      for (const [s, n] of this.store.subjects()) {
        if (n > cfg.max_msgs_per_subject) {
          this.store.purge({ filter: s, keep: cfg.max_msgs_per_subject });
          any = true;
        }
      }
      if (any) this.purged();
    }
    this.trimToLimits();
    this.scheduleAge();
  }

  info(opts: { subjectsFilter?: string; deletedDetails?: boolean; offset?: number } = {}): StreamInfo & { total: number; offset: number; limit: number } {
    const st = this.store.state();
    const state: StreamStateWire = {
      messages: st.messages,
      bytes: st.bytes,
      first_seq: st.lastSeq === 0 && st.messages === 0 ? 0 : st.firstSeq,
      first_ts: st.messages === 0 ? ZERO_TIME : rfc3339(st.firstTime),
      last_seq: st.lastSeq,
      last_ts: st.lastSeq === 0 ? ZERO_TIME : rfc3339(st.lastTime),
    } as StreamStateWire;
    let total = 0;
    let offset = 0;
    let limit = 0;
    if (st.numSubjects > 0) state.num_subjects = st.numSubjects;
    if (opts.subjectsFilter !== undefined && opts.subjectsFilter !== "" && st.messages > 0) {
      const subjects = [...this.store.subjects(opts.subjectsFilter)];
      total = subjects.length;
      if (total > 0) {
        offset = Math.max(0, opts.offset ?? 0);
        limit = SUBJECTS_PAGE;
        state.subjects = Object.fromEntries(subjects.slice(offset, offset + limit));
      }
    }
    if (st.numDeleted > 0) state.num_deleted = st.numDeleted;
    if (opts.deletedDetails && st.numDeleted > 0) state.deleted = this.store.deleted();
    state.consumer_count = this.consumerCount;
    const info: StreamInfo & { total: number; offset: number; limit: number } = { total, offset, limit, config: this.config, created: rfc3339(this.record.created), state };
    if (this.config.mirror !== undefined && this.links.length > 0) info.mirror = this.links[0].info();
    else if (this.links.length > 0) info.sources = this.links.map((l) => l.info());
    return info;
  }

  /** STREAM.PURGE; returns how many messages went. */
  purge(req: PurgeRequest): number {
    if (this.config.sealed) throw new JsApiError(JsErrors.StreamSealed);
    if (this.config.deny_purge) throw new JsApiError(JsErrors.StreamPurgeFailed, { err: "stream purge not permitted" });
    if (req.seq !== undefined && req.seq > 0 && req.keep !== undefined && req.keep > 0) throw new JsApiError(JsErrors.BadRequest);
    const opts: { filter?: string; seq?: number; keep?: number } = {};
    if (req.filter !== undefined && req.filter !== "") opts.filter = req.filter;
    if (req.seq !== undefined && req.seq > 0) opts.seq = req.seq;
    if (req.keep !== undefined && req.keep > 0) opts.keep = req.keep;
    const n = this.store.purge(opts);
    if (n > 0) this.purged();
    return n;
  }

  /** STREAM.MSG.GET's lookups: by sequence, last by subject, next by subject from a sequence. */
  getMessage(req: { seq?: number; last_by_subj?: string; next_by_subj?: string }): StoredMessage {
    const hasSeq = req.seq !== undefined && req.seq > 0;
    const last = req.last_by_subj ?? "";
    const next = req.next_by_subj ?? "";
    let m: StoredMessage | undefined;
    if (last !== "") {
      if (hasSeq || next !== "") throw new JsApiError(JsErrors.BadRequest);
      m = this.store.last(last);
    } else if (next !== "") {
      m = this.store.next(Math.max(req.seq ?? 0, 1), next);
    } else if (hasSeq) {
      m = this.store.get(req.seq!);
    } else {
      throw new JsApiError(JsErrors.BadRequest);
    }
    if (m === undefined) throw new JsApiError(JsErrors.NoMessageFound);
    return m;
  }

  /** STREAM.MSG.DELETE. */
  deleteMessage(seq: number, erase: boolean): void {
    if (this.config.sealed) throw new JsApiError(JsErrors.StreamSealed);
    if (this.config.deny_delete) throw new JsApiError(JsErrors.StreamMsgDeleteFailed, { err: "message delete not permitted" });
    const st = this.store.state();
    if (seq <= 0) throw new JsApiError(JsErrors.StreamMsgDeleteFailed, { err: "no message found" });
    if (seq > st.lastSeq) throw new JsApiError(JsErrors.StreamMsgDeleteFailed, { err: "stream store EOF" });
    if (!this.removeMessage(seq, undefined, erase)) throw new JsApiError(JsErrors.SequenceNotFound, { seq });
  }

  stop(): void {
    clearTimeout(this.ageTimer);
    this.ageTimer = undefined;
    if (this.dedupeScan !== undefined) clearImmediate(this.dedupeScan.timer);
    this.dedupeScan = undefined;
    this.store.close();
  }

  /** Literal subjects can use the store's subject index. */
  static isLiteral(subject: string): boolean {
    return subjectIsLiteral(subject);
  }
}

/** STREAM.INFO lists at most this many subjects per page. */
const SUBJECTS_PAGE = 100_000;

/** subject_transform: a subject matching `src` is stored as `dest` (wildcards in order); others as they are. */
function transformSubject(subject: string, src: string, dest: string): string {
  if (src !== "" && !subjectMatches(subject, src)) return subject;
  return mapRepublish(subject, src === "" ? ">" : src, dest);
}

/** Maps a stream subject through a `src` -> `dest` pattern (wildcards in order; `$N` tokens by position). */
function mapRepublish(subject: string, src: string, dest: string): string {
  if (!dest.includes("*") && !dest.includes(">") && !dest.includes("$")) return dest;
  const s = subject.split(".");
  const p = src.split(".");
  const caps: string[] = [];
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") {
      caps.push(s.slice(i).join("."));
      break;
    }
    if (p[i] === "*") caps.push(s[i]);
  }
  let k = 0;
  return dest
    .split(".")
    .map((t) => {
      if (t === "*" || t === ">") return caps[k++] ?? t;
      if (t.startsWith("$") && /^\$\d+$/.test(t)) return caps[Number(t.slice(1)) - 1] ?? t;
      return t;
    })
    .join(".");
}

/** A publish the stream refuses, with the API error it answers (a function, not a closure per publish). */
function refusal(cfg: StreamConfig, entry: Parameters<typeof apiError>[0], values?: Record<string, string | number>): PublishOutcome {
  return { error: apiError(entry, values), stream: cfg.name };
}

/**
 * The LMDB stream store (file streams). One incarnation of a stream lives in three named databases of its
 * account's environment (see lmdb-account.ts):
 *   msgs:<inc>      first seq (8 bytes BE) -> block of consecutive messages (lmdb-blocks.ts)
 *   index:<inc>     subjectKey + 0x00 + base -> chunk of that subject's sequences (lmdb-subjects.ts)
 *   subjects:<inc>  subjectKey -> count
 * plus its counters in the account's `_state` DB (lmdb-state.ts).
 *
 * Writes are buffered here and applied by the account's commit, in one synced transaction:
 * - appends since the last commit: `pending` (sequences pendingBase.., contiguous up to lastSeq; skipped
 *   sequences, see `appendAt`, are empty slots, or lie between the databases' last and pendingBase);
 * - removals of committed messages: `removed` (sequence -> subject, size, erase);
 * - a purge of everything: `dbCleared` (the committed part is gone; the commit clears the three DBs);
 * - per-subject counts touched since the commit: `counts` (a cache) + `dirtySubjects`.
 * Reads merge the committed databases with this overlay, so every write is visible at once. The overlay is
 * bounded: past `maxPendingOps` operations or `maxPendingBytes` of new messages, the store commits early
 * (durable earlier than asked is harmless; every commit is a consistent prefix of the writes).
 */
import type { Database } from "lmdb";
import { filterMatches, isLiteralFilter, selectsAll } from "./filter.js";
import { BLOCK_MAX_MSGS, BlockLog } from "./lmdb-blocks.js";
import { decodeMessage, decodeSubject, EncodedMessage, encodeMessage, storedSizeOf } from "./lmdb-codec.js";
import { MessageArena } from "./message-arena.js";
import { encodeState, type PersistedState } from "./lmdb-state.js";
import {
  CHUNK_SPAN,
  countEntrySubject,
  decodeCount,
  encodeChunk,
  encodeCount,
  IndexChunk,
  TailChunk,
  indexEnd,
  indexKey,
  indexStart,
  subjectKey,
} from "./lmdb-subjects.js";
import { lowerBound } from "./sorted.js";
import { checkAppendSeq, storedSize } from "./types.js";
import type { PurgeOptions, StorageKind, StoredMessage, StreamState, StreamStore } from "./types.js";
import { RecentMessages } from "./recent-messages.js";

export type BinaryDb = Database<Buffer, Buffer>;

/** The three databases of one stream incarnation. */
export interface StreamDbs {
  msgs: BinaryDb;
  index: BinaryDb;
  subjects: BinaryDb;
}

/** What a stream store needs from the account store that owns the environment. */
export interface LmdbStreamHost {
  /** Commits every pending write of the account in one synced transaction. */
  commit(): void;
  /** The store has writes to flush at the next commit. */
  markDirty(store: LmdbStreamStore): void;
  /** The store was closed by its user. */
  storeClosed(store: LmdbStreamStore): void;
  /** Past this many buffered operations (appends + removals) a store commits early. */
  readonly maxPendingOps: number;
  /** Past this many bytes of buffered message values a store commits early. */
  readonly maxPendingBytes: number;
  /** Bytes of recently committed messages a stream keeps in memory for its readers (0: none). */
  readonly recentBytes: number;
}

interface SubjectKeys {
  sk: Buffer;
  /** subjectKey + 0x00 and subjectKey + 0x01: the subject's index range. */
  start: Buffer;
  end: Buffer;
}

interface Removal {
  subject: string;
  erase: boolean;
  /** Stored alone under its own key (deleted directly at the commit), with this many bytes. */
  alone: boolean;
  size: number;
}

/** The per-subject count cache is dropped after a commit when larger than this. */
const COUNT_CACHE_MAX = 10_000;
/** Subject keys, and last sequences by subject, kept for reuse (each cache is dropped when full). */
const SUBJECT_KEY_CACHE = 4096;
/**
 * Wildcard reads scan messages; after SCAN_BEFORE_INDEX without a match, a stream with at most FEW_SUBJECTS
 * subjects answers through each matching subject's index instead.
 */
const FEW_SUBJECTS = 64;
const SCAN_BEFORE_INDEX = 32;
/** Past this many ranges written in blocks, they are merged into one (removals in it then read first). */
const MAX_BLOCK_RANGES = 256;
/** Per commit, the removal counts deciding whether a stream's removals are scattered keep this much. */
const REMOVAL_DECAY = 0.9;
/** Purges find their targets this many at a time. */
const PURGE_BATCH = 1024;
/**
 * `appendAt` fills a gap shorter than this in the overlay with empty slots; past it, it commits the overlay
 * first and starts the next one at the new sequence. Filling costs a few ns per slot and every later scan of
 * the overlay walks the slots; a commit costs tens of µs: past a few thousand sequences, committing is cheaper.
 */
const PENDING_GAP_MAX = 4096;

export class LmdbStreamStore implements StreamStore {
  readonly kind: StorageKind = "file";
  private dbs: StreamDbs | undefined;
  /** Databases opened (created) inside a commit that has not finished yet. */
  private newDbs: StreamDbs | undefined;
  private dbCleared = false;
  /** Highest sequence that may be in the databases (lastSeq at the last commit). */
  private dbLast: number;
  private pendingBase: number;
  private pending: (EncodedMessage | undefined)[] = [];
  private pendingLive = 0;
  private pendingRawBytes = 0;
  private readonly pendingBySubject = new Map<string, number[]>();
  private readonly removed = new Map<number, Removal>();
  private readonly counts = new Map<string, number>();
  private readonly dirtySubjects = new Set<string>();
  private readonly subjectKeys = new Map<string, SubjectKeys>();
  /** Last sequence of recently used subjects (dropped when full, or for a subject when its last goes). */
  private readonly lastBySubject = new Map<string, number>();
  /**
   * The first stored sequence of recently used subjects: per-subject limits (a KV put evicting the key's
   * previous value) ask for it on every store, and the index would need a cursor each time.
   */
  private readonly firstBySubject = new Map<string, number>();
  /**
   * Recently written subjects' last index chunk (where appends go and recent removals fall), as written, so
   * a commit appends to it without a cursor, a read or a decode. Written only where the index is.
   */
  private readonly tailChunks = new Map<string, TailChunk>();
  private isClosed = false;
  private readonly incKey: Buffer;
  /** The last committed messages, in memory (consumers read right behind the publishers). */
  private readonly recent: RecentMessages;
  /** Where appended messages are encoded (the overlay's, then the in-memory tail's, memory). */
  private readonly arena = new MessageArena();
  /** Removals seen (decayed per commit), the runs of consecutive sequences they came in, the last one. */
  private removalsSeen = 0;
  private runsSeen = 0;
  private lastRemoved = -1;
  /** The databases' last sequence at open, and the ranges written in blocks since (flat [from, to] pairs). */
  private readonly openLast: number;
  private blockRanges: number[] = [];
  /** The reader of `msgs` (of `dbs`, or of `newDbs` while they are written). */
  private log: BlockLog | undefined;
  private logDb: BinaryDb | undefined;

  private messages: number;
  private bytes: number;
  /**
   * The first stored sequence, or a lower bound of it while `firstStale` (removals at the front only mark it
   * stale, so a purge of many messages does not look for the new first after each one).
   */
  private firstSeq: number;
  private firstStale = false;
  private firstTime: bigint | undefined;
  private lastSeq: number;
  private lastTime: bigint;
  private numSubjects: number;

  /**
   * @internal Created by LmdbAccountStore: `dbs` and `persisted` are undefined for a stream created since the
   * last commit (its databases are created by the commit that records it).
   */
  constructor(
    private readonly host: LmdbStreamHost,
    readonly incarnation: string,
    dbs: StreamDbs | undefined,
    persisted: PersistedState | undefined,
  ) {
    this.incKey = Buffer.from(incarnation, "utf8");
    this.recent = new RecentMessages(host.recentBytes);
    this.dbs = dbs;
    const p = persisted ?? { messages: 0, bytes: 0, lastSeq: 0, lastTime: 0n, numSubjects: 0 };
    this.messages = p.messages;
    this.bytes = p.bytes;
    this.lastSeq = p.lastSeq;
    this.lastTime = p.lastTime;
    this.numSubjects = p.numSubjects;
    this.dbLast = p.lastSeq;
    this.openLast = p.lastSeq;
    this.pendingBase = p.lastSeq + 1;
    this.firstSeq = p.lastSeq + 1;
    if (dbs && p.messages > 0) this.firstSeq = this.blocksOf(dbs.msgs).first() ?? this.firstSeq;
    if (!persisted) host.markDirty(this);
  }

  append(subject: string, headers: Uint8Array | undefined, data: Uint8Array, time: bigint): StoredMessage {
    this.checkOpen();
    return this.put(this.lastSeq + 1, subject, headers, data, time);
  }

  appendAt(seq: number, subject: string, headers: Uint8Array | undefined, data: Uint8Array, time: bigint): StoredMessage {
    this.checkOpen();
    checkAppendSeq(seq, this.lastSeq);
    this.skipTo(seq);
    return this.put(seq, subject, headers, data, time);
  }

  /**
   * Makes `seq` (> lastSeq) the overlay's next slot. Nothing is written for the skipped sequences: the
   * databases simply have no key for them, and every count (numDeleted = span - messages, the first key as
   * firstSeq at open) already follows from the keys present.
   */
  private skipTo(seq: number): void {
    const gap = seq - this.lastSeq - 1;
    if (gap === 0) return;
    // A long gap is not materialised: the overlay is committed (durable earlier than asked is harmless) so the
    // next one can start at `seq`. `commit` may be a no-op (inside a commit), hence the second check.
    if (this.pending.length > 0 && gap > PENDING_GAP_MAX) this.host.commit();
    if (this.pending.length === 0) this.pendingBase = seq;
    else for (let k = 0; k < gap; k++) this.pending.push(undefined);
  }

  /** Stores a message in the overlay under `seq`, its next slot (`pendingBase + pending.length`). */
  private put(seq: number, subject: string, headers: Uint8Array | undefined, data: Uint8Array, time: bigint): StoredMessage {
    const m = encodeMessage(seq, subject, headers, data, time, this.arena);
    this.pending.push(m);
    this.pendingLive++;
    this.pendingRawBytes += m.end - m.start;
    let list = this.pendingBySubject.get(subject);
    if (!list) this.pendingBySubject.set(subject, (list = []));
    list.push(seq);
    if (this.addToSubject(subject, 1) === 0) this.cacheFirstOfSubject(subject, seq);
    if (this.lastBySubject.has(subject) || this.lastBySubject.size < SUBJECT_KEY_CACHE) this.lastBySubject.set(subject, seq);
    if (this.messages === 0) {
      this.firstSeq = seq;
      this.firstStale = false;
      this.firstTime = time;
    }
    this.messages++;
    this.bytes += m.storedSize;
    this.lastSeq = seq;
    this.lastTime = time;
    this.host.markDirty(this);
    this.maybeCommitEarly();
    return m;
  }

  get(seq: number): StoredMessage | undefined {
    this.checkOpen();
    if (!(seq >= this.firstSeq && seq <= this.lastSeq) || !Number.isInteger(seq)) return undefined;
    if (seq >= this.pendingBase) return this.pending[seq - this.pendingBase];
    return this.readCommitted(seq);
  }

  next(from: number, filter?: string): StoredMessage | undefined {
    this.checkOpen();
    if (this.messages === 0) return undefined;
    const start = Math.max(Math.ceil(from), this.firstSeq);
    if (!(start <= this.lastSeq)) return undefined;
    if (selectsAll(filter)) {
      // Sequences are mostly contiguous (consumers read them in order): one direct read before a cursor.
      return this.get(start) ?? this.getExisting(this.seqFrom(start));
    }
    if (isLiteralFilter(filter)) return this.getExisting(this.subjectSeqFrom(filter, start));
    // Wildcard: scan; when the first matches are not close and there are few subjects, ask the index of each.
    let scanned = 0;
    if (this.dbLive && start <= this.dbLast) {
      for (const [seq, value] of this.blocks.entries(start, this.dbLast)) {
        if (!this.removed.has(seq) && filterMatches(decodeSubject(value), filter)) return decodeMessage(seq, value);
        if (++scanned === SCAN_BEFORE_INDEX && this.numSubjects <= FEW_SUBJECTS) return this.nextViaIndex(seq + 1, filter);
      }
    }
    for (let i = Math.max(start - this.pendingBase, 0); i < this.pending.length; i++) {
      const m = this.pending[i];
      if (m && filterMatches(m.subject, filter)) return m;
    }
    return undefined;
  }

  last(filter: string): StoredMessage | undefined {
    this.checkOpen();
    if (this.messages === 0) return undefined;
    if (selectsAll(filter)) return this.getExisting(this.seqAtOrBefore(this.lastSeq));
    if (isLiteralFilter(filter)) return this.getExisting(this.subjectLastSeq(filter));
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const m = this.pending[i];
      if (m && filterMatches(m.subject, filter)) return m;
    }
    if (this.dbLive) {
      let scanned = 0;
      for (const [seq, value] of this.blocks.entriesDesc(this.dbLast, 0)) {
        if (!this.removed.has(seq) && filterMatches(decodeSubject(value), filter)) return decodeMessage(seq, value);
        if (++scanned === SCAN_BEFORE_INDEX && this.numSubjects <= FEW_SUBJECTS) return this.lastViaIndex(filter);
      }
    }
    return undefined;
  }

  /** The first message >= `start` on a subject matching `filter`, through each subject's index. */
  private nextViaIndex(start: number, filter: string): StoredMessage | undefined {
    let best: number | undefined;
    for (const subject of this.subjects(filter).keys()) {
      const seq = this.subjectSeqFrom(subject, start);
      if (seq !== undefined && (best === undefined || seq < best)) best = seq;
    }
    return this.getExisting(best);
  }

  private lastViaIndex(filter: string): StoredMessage | undefined {
    let best: number | undefined;
    for (const subject of this.subjects(filter).keys()) {
      const seq = this.subjectLastSeq(subject);
      if (seq !== undefined && (best === undefined || seq > best)) best = seq;
    }
    return this.getExisting(best);
  }

  remove(seq: number, erase = false): boolean {
    this.checkOpen();
    if (!(seq >= this.firstSeq && seq <= this.lastSeq) || !Number.isInteger(seq)) return false;
    let subject: string;
    let size: number;
    if (seq >= this.pendingBase) {
      const i = seq - this.pendingBase;
      const m = this.pending[i];
      if (!m) return false;
      this.pending[i] = undefined;
      this.pendingLive--;
      subject = m.subject;
      size = m.storedSize;
      if (erase) m.buf.fill(0, m.start, m.end);
    } else {
      if (!this.dbLive || this.removed.has(seq)) return false;
      const raw = this.recent.get(seq) ?? this.blocks.get(seq);
      if (!raw) return false;
      subject = decodeSubject(raw);
      size = storedSizeOf(raw);
      this.removed.set(seq, { subject, erase, alone: this.writtenAlone(seq) || this.blocks.storedAlone(seq), size: raw.length });
      this.recent.drop(seq, erase);
    }
    this.messages--;
    this.bytes -= size;
    this.addToSubject(subject, -1);
    if (this.lastBySubject.get(subject) === seq) this.lastBySubject.delete(subject);
    if (this.firstBySubject.get(subject) === seq) {
      // A KV bucket keeping one value per key removes the old one after each put: the one left is the last.
      const last = this.subjectCount(subject) === 1 ? this.lastBySubject.get(subject) : undefined;
      if (last !== undefined) this.firstBySubject.set(subject, last);
      else this.firstBySubject.delete(subject);
    }
    if (this.messages === 0) {
      this.firstSeq = this.lastSeq + 1;
      this.firstStale = false;
    } else if (seq === this.firstSeq) {
      this.firstStale = true;
      this.firstTime = undefined;
    }
    this.host.markDirty(this);
    this.maybeCommitEarly();
    return true;
  }

  purge(opts: PurgeOptions = {}): number {
    this.checkOpen();
    if (this.messages === 0) return 0;
    const below = opts.seq !== undefined && opts.seq > 0 ? opts.seq : Infinity;
    const filter = opts.filter;
    const all = selectsAll(filter);
    if (all && opts.keep === undefined && below > this.lastSeq) {
      const n = this.messages;
      this.clearAll();
      return n;
    }
    const literal = !all && isLiteralFilter(filter!);
    let limit = Infinity;
    if (opts.keep !== undefined) {
      let total = 0;
      if (all) total = this.messages;
      else if (literal) total = this.subjectCount(filter!);
      else for (const n of this.subjects(filter).values()) total += n;
      limit = Math.max(0, total - opts.keep);
    }
    // Targets are found a batch at a time (one cursor pass each), then removed; a removal may commit early,
    // so no cursor stays open across removals.
    let removed = 0;
    for (let from = this.firstSeq; removed < limit; ) {
      const batch = all
        ? this.seqsFrom(from, below, Math.min(limit - removed, PURGE_BATCH))
        : literal
          ? this.subjectSeqsFrom(filter!, from, below, Math.min(limit - removed, PURGE_BATCH))
          : [this.next(from, filter)?.seq].filter((seq): seq is number => seq !== undefined && seq < below);
      if (batch.length === 0) break;
      for (const seq of batch) this.remove(seq);
      removed += batch.length;
      from = batch[batch.length - 1] + 1;
    }
    return removed;
  }

  /** Up to `max` stored sequences in [from, below), ascending. */
  private seqsFrom(from: number, below: number, max: number): number[] {
    const out: number[] = [];
    const top = Math.min(below - 1, this.dbLast);
    if (this.dbLive && from <= top) {
      for (const [seq] of this.blocks.entries(from, top)) {
        if (this.removed.has(seq)) continue;
        out.push(seq);
        if (out.length === max) return out;
      }
    }
    for (let i = Math.max(from - this.pendingBase, 0); i < this.pending.length && out.length < max; i++) {
      const seq = this.pendingBase + i;
      if (seq >= below) break;
      if (this.pending[i]) out.push(seq);
    }
    return out;
  }

  /** Up to `max` sequences of the literal `subject` in [from, below), ascending. */
  private subjectSeqsFrom(subject: string, from: number, below: number, max: number): number[] {
    const out: number[] = [];
    if (this.dbLive && from <= this.dbLast) {
      for (const chunk of this.chunksFrom(this.dbs!.index, subject, from)) {
        for (let i = chunk.lowerBound(from); i < chunk.size; i++) {
          const seq = chunk.seq(i);
          if (seq >= below) return out;
          if (this.removed.has(seq)) continue;
          out.push(seq);
          if (out.length === max) return out;
        }
      }
    }
    const list = this.pendingBySubject.get(subject);
    if (list) {
      for (let i = lowerBound(list, from); i < list.length && out.length < max; i++) {
        if (list[i] >= below) break;
        if (this.pending[list[i] - this.pendingBase]) out.push(list[i]);
      }
    }
    return out;
  }

  get storedMessages(): number {
    return this.messages;
  }

  get storedBytes(): number {
    return this.bytes;
  }

  state(): StreamState {
    this.checkOpen();
    this.exactFirst();
    const empty = this.messages === 0;
    if (!empty && this.firstTime === undefined) this.firstTime = this.get(this.firstSeq)?.time ?? 0n;
    return {
      messages: this.messages,
      bytes: this.bytes,
      firstSeq: this.firstSeq,
      firstTime: empty ? 0n : this.firstTime!,
      lastSeq: this.lastSeq,
      lastTime: this.lastTime,
      numDeleted: empty ? 0 : this.lastSeq - this.firstSeq + 1 - this.messages,
      numSubjects: this.numSubjects,
    };
  }

  subjects(filter?: string): Map<string, number> {
    this.checkOpen();
    const out = new Map<string, number>();
    const all = selectsAll(filter);
    if (!all && isLiteralFilter(filter!)) {
      const n = this.subjectCount(filter!);
      if (n > 0) out.set(filter!, n);
      return out;
    }
    if (this.dbLive) {
      for (const { key, value } of this.dbs!.subjects.getRange({})) {
        const subject = countEntrySubject(key, value);
        if (this.counts.has(subject)) continue;
        if (all || filterMatches(subject, filter!)) out.set(subject, decodeCount(value));
      }
    }
    for (const [subject, n] of this.counts) {
      if (n > 0 && (all || filterMatches(subject, filter!))) out.set(subject, n);
    }
    return out;
  }

  count(from: number, filter?: string): number {
    this.checkOpen();
    if (this.messages === 0) return 0;
    const start = Math.max(Math.ceil(from), this.firstSeq);
    if (!(start <= this.lastSeq)) return 0;
    if (selectsAll(filter)) {
      return start === this.firstSeq ? this.messages : this.countCommittedFrom(start) + this.countPendingFrom(start);
    }
    if (isLiteralFilter(filter)) return this.subjectCountFrom(filter, start);
    if (start === this.firstSeq || this.numSubjects <= this.lastSeq - start + 1) {
      let n = 0;
      for (const [subject, total] of this.subjects(filter)) {
        n += start === this.firstSeq ? total : this.subjectCountFrom(subject, start);
      }
      return n;
    }
    let n = 0;
    if (this.dbLive && start <= this.dbLast) {
      for (const [seq, value] of this.blocks.entries(start, this.dbLast)) {
        if (!this.removed.has(seq) && filterMatches(decodeSubject(value), filter)) n++;
      }
    }
    for (let i = Math.max(start - this.pendingBase, 0); i < this.pending.length; i++) {
      const m = this.pending[i];
      if (m && filterMatches(m.subject, filter)) n++;
    }
    return n;
  }

  deleted(): number[] {
    this.checkOpen();
    const out: number[] = [];
    if (this.messages === 0) return out;
    this.exactFirst();
    let expected = this.firstSeq;
    const visit = (seq: number): void => {
      for (let g = expected; g < seq; g++) out.push(g);
      expected = seq + 1;
    };
    if (this.dbLive && this.firstSeq <= this.dbLast) {
      for (const [seq] of this.blocks.entries(this.firstSeq, this.dbLast)) {
        if (!this.removed.has(seq)) visit(seq);
      }
    }
    for (let i = 0; i < this.pending.length; i++) if (this.pending[i]) visit(this.pendingBase + i);
    for (let g = expected; g <= this.lastSeq; g++) out.push(g);
    return out;
  }

  commit(): void {
    this.checkOpen();
    this.host.commit();
  }

  /** Commits what is pending (through the account) and releases the store; the data stays. */
  close(): void {
    if (this.isClosed) return;
    this.host.storeClosed(this);
    this.isClosed = true;
    this.recent.clear();
    this.arena.release();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * @internal Writes the overlay inside the account's commit transaction. `openDbs` creates this
   * incarnation's databases (first commit of a new stream). Nothing in the store changes until `afterCommit`.
   */
  flushInto(openDbs: () => StreamDbs, stateDb: BinaryDb): void {
    const dbs = this.dbs ?? (this.newDbs = openDbs());
    const { msgs, index, subjects } = dbs;
    const blocks = this.blocksOf(msgs);
    if (this.dbCleared) {
      msgs.clearSync();
      index.clearSync();
      subjects.clearSync();
      blocks.invalidate();
      this.tailChunks.clear();
    }
    const removalsBySubject = new Map<string, number[]>();
    for (const [seq, r] of this.removed) {
      let list = removalsBySubject.get(r.subject);
      if (!list) removalsBySubject.set(r.subject, (list = []));
      list.push(seq);
    }
    if (this.removed.size > 0) {
      // Erased messages are overwritten with zeros before their block is rewritten without them. LMDB is
      // copy-on-write: the page that held the value before this transaction becomes free space and keeps
      // the old bytes until LMDB reuses it; readers never see them again.
      const removed = this.removed;
      const sorted = [...removed.keys()].sort((a, b) => a - b);
      const inBlocks: number[] = [];
      for (const seq of sorted) {
        const r = removed.get(seq)!;
        if (r.alone) blocks.removeAlone(seq, r.size, r.erase);
        else inBlocks.push(seq);
      }
      this.noteRemovals(sorted);
      if (inBlocks.length > 0) blocks.remove(inBlocks, (seq) => removed.get(seq)!.erase, this.scattered());
    }
    const appended: EncodedMessage[] = [];
    for (const m of this.pending) if (m !== undefined) appended.push(m);
    const alone = this.scattered();
    blocks.append(appended, alone ? 1 : BLOCK_MAX_MSGS);
    if (!alone && appended.length > 1) this.noteBlockRange(appended[0].seq, appended[appended.length - 1].seq);
    // A subject whose count ends where it started (a KV put replacing the key's last value) keeps its
    // count record: rewriting it was one LMDB put per message.
    const sameCount = new Set<string>();
    for (const subject of this.dirtySubjects) {
      const removals = removalsBySubject.get(subject) ?? [];
      const adds = (this.pendingBySubject.get(subject) ?? []).filter((seq) => this.pending[seq - this.pendingBase] !== undefined);
      if (removals.length === adds.length && !this.dbCleared) sameCount.add(subject);
      if (removals.length === 0 && adds.length === 0) continue;
      const committedBefore = (this.counts.get(subject) ?? 0) - adds.length + removals.length;
      this.flushSubjectIndex(index, subject, removals, adds, committedBefore);
    }
    for (const subject of this.dirtySubjects) {
      if (sameCount.has(subject)) continue;
      const n = this.counts.get(subject) ?? 0;
      const key = this.keysOf(subject).sk;
      if (n > 0) subjects.put(key, encodeCount(n, subject, key));
      else subjects.remove(key);
    }
    stateDb.put(
      this.incKey,
      encodeState({
        messages: this.messages,
        bytes: this.bytes,
        lastSeq: this.lastSeq,
        lastTime: this.lastTime,
        numSubjects: this.numSubjects,
      }),
    );
  }

  /**
   * Removals in runs of consecutive sequences (limits trimming the front, acks of a work queue, a KV bucket
   * updating its keys in turn) take a block rewrite per run; scattered ones (a KV bucket's keys updated at
   * random) take one per message. Streams removing that way get their messages written one per key, which
   * a removal deletes without rewriting anything. Decayed counts of removals and of runs decide.
   */
  private noteRemovals(sorted: readonly number[]): void {
    let runs = 0;
    let prev = this.lastRemoved;
    for (const seq of sorted) {
      if (seq !== prev + 1) runs++;
      prev = seq;
    }
    this.lastRemoved = prev;
    this.removalsSeen = this.removalsSeen * REMOVAL_DECAY + sorted.length;
    this.runsSeen = this.runsSeen * REMOVAL_DECAY + runs;
  }

  /**
   * Whether `seq` was written alone by this store (after the databases' last sequence at open, outside
   * every range written in blocks): its removal then needs no read to tell.
   */
  private writtenAlone(seq: number): boolean {
    if (seq <= this.openLast) return false;
    const r = this.blockRanges;
    for (let i = r.length - 2; i >= 0; i -= 2) {
      if (seq > r[i + 1]) return true;
      if (seq >= r[i]) return false;
    }
    return true;
  }

  /** Sequences [from, to] were written in blocks (some maybe alone: a conservative record). */
  private noteBlockRange(from: number, to: number): void {
    const r = this.blockRanges;
    if (r.length > 0 && r[r.length - 1] >= from - 1 - PENDING_GAP_MAX) r[r.length - 1] = to;
    else if (r.length >= 2 * MAX_BLOCK_RANGES) this.blockRanges = [r[0], to];
    else r.push(from, to);
  }

  private scattered(): boolean {
    return this.removalsSeen >= 16 && this.runsSeen * 2 > this.removalsSeen;
  }

  /** @internal The commit transaction that ran `flushInto` is durable: the overlay becomes the database. */
  afterCommit(): void {
    if (this.newDbs) this.dbs = this.newDbs;
    this.newDbs = undefined;
    this.dbCleared = false;
    this.dbLast = this.lastSeq;
    for (let i = 0; i < this.pending.length; i++) {
      const m = this.pending[i];
      if (m !== undefined) this.recent.add(m.seq, m.buf, m.start, m.end);
    }
    this.pendingBase = this.lastSeq + 1;
    this.pending = [];
    this.pendingLive = 0;
    this.pendingRawBytes = 0;
    this.pendingBySubject.clear();
    this.removed.clear();
    this.dirtySubjects.clear();
    if (this.counts.size > COUNT_CACHE_MAX) this.counts.clear();
  }

  /** @internal Called periodically: the in-memory tail goes when nobody used it since the last call. */
  releaseIdle(): void {
    this.recent.releaseIdle();
    // The arena's chunk goes too when nothing points into it any more.
    if (this.recent.bytes === 0 && this.pending.length === 0) this.arena.release();
  }

  /** @internal The commit transaction failed (and was aborted): databases it opened are gone. */
  abortFlush(): void {
    this.newDbs = undefined;
    this.tailChunks.clear();
  }

  /** @internal The stream was deleted: the store is unusable from now on. */
  detach(): void {
    this.isClosed = true;
    this.dbs = undefined;
    this.pending = [];
    this.removed.clear();
    this.recent.clear();
    this.arena.release();
  }

  private exactFirst(): void {
    if (!this.firstStale) return;
    this.firstSeq = this.seqFrom(this.firstSeq) ?? this.lastSeq + 1;
    this.firstStale = false;
  }

  private get dbLive(): boolean {
    return this.dbs !== undefined && !this.dbCleared;
  }

  private checkOpen(): void {
    if (this.isClosed) throw new Error("stream store is closed");
  }

  private maybeCommitEarly(): void {
    if (this.pending.length + this.removed.size > this.host.maxPendingOps || this.pendingRawBytes > this.host.maxPendingBytes) {
      this.host.commit();
    }
  }

  private readCommitted(seq: number): EncodedMessage | undefined {
    if (!this.dbLive || seq > this.dbLast || this.removed.has(seq)) return undefined;
    const raw = this.recent.get(seq) ?? this.blocks.get(seq);
    return raw === undefined ? undefined : decodeMessage(seq, raw);
  }

  /** The reader of the committed messages (blocks are copies the messages read from them may keep). */
  private get blocks(): BlockLog {
    return this.blocksOf(this.dbs!.msgs);
  }

  private blocksOf(db: BinaryDb): BlockLog {
    if (this.logDb !== db || this.log === undefined) {
      this.log = new BlockLog(db);
      this.logDb = db;
    }
    return this.log;
  }

  private getExisting(seq: number | undefined): StoredMessage | undefined {
    return seq === undefined ? undefined : seq >= this.pendingBase ? this.pending[seq - this.pendingBase] : this.readCommitted(seq);
  }

  /** The first stored sequence >= `from`. */
  private seqFrom(from: number): number | undefined {
    if (this.dbLive && from <= this.dbLast) {
      for (const [seq] of this.blocks.entries(from, this.dbLast)) {
        if (!this.removed.has(seq)) return seq;
      }
    }
    for (let i = Math.max(from - this.pendingBase, 0); i < this.pending.length; i++) {
      if (this.pending[i]) return this.pendingBase + i;
    }
    return undefined;
  }

  /** The last stored sequence <= `upTo`. */
  private seqAtOrBefore(upTo: number): number | undefined {
    for (let i = Math.min(upTo - this.pendingBase, this.pending.length - 1); i >= 0; i--) {
      if (this.pending[i]) return this.pendingBase + i;
    }
    if (this.dbLive) {
      const top = Math.min(upTo, this.dbLast);
      for (const [seq] of this.blocks.entriesDesc(top, 0)) {
        if (!this.removed.has(seq)) return seq;
      }
    }
    return undefined;
  }

  private cacheFirstOfSubject(subject: string, seq: number): void {
    if (this.firstBySubject.size >= SUBJECT_KEY_CACHE && !this.firstBySubject.has(subject)) this.firstBySubject.clear();
    this.firstBySubject.set(subject, seq);
  }

  /** The first sequence >= `from` stored under the literal `subject`. */
  private subjectSeqFrom(subject: string, from: number): number | undefined {
    const first = this.firstBySubject.get(subject);
    if (first !== undefined && from <= first) return first;
    const seq = this.findSubjectSeqFrom(subject, from);
    if (seq !== undefined && from <= this.firstSeq) this.cacheFirstOfSubject(subject, seq);
    return seq;
  }

  private findSubjectSeqFrom(subject: string, from: number): number | undefined {
    if (this.dbLive && from <= this.dbLast) {
      for (const chunk of this.chunksFrom(this.dbs!.index, subject, from)) {
        for (let i = chunk.lowerBound(from); i < chunk.size; i++) {
          const seq = chunk.seq(i);
          if (!this.removed.has(seq)) return seq;
        }
      }
    }
    const list = this.pendingBySubject.get(subject);
    if (list) {
      for (let i = lowerBound(list, from); i < list.length; i++) {
        if (this.pending[list[i] - this.pendingBase]) return list[i];
      }
    }
    return undefined;
  }

  private subjectLastSeq(subject: string): number | undefined {
    const cached = this.lastBySubject.get(subject);
    if (cached !== undefined) return cached;
    const seq = this.findSubjectLastSeq(subject);
    if (seq !== undefined) {
      if (this.lastBySubject.size >= SUBJECT_KEY_CACHE) this.lastBySubject.clear();
      this.lastBySubject.set(subject, seq);
    }
    return seq;
  }

  private findSubjectLastSeq(subject: string): number | undefined {
    const list = this.pendingBySubject.get(subject);
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) {
        if (this.pending[list[i] - this.pendingBase]) return list[i];
      }
    }
    if (this.dbLive) {
      const { start, end } = this.keysOf(subject);
      const index = this.dbs!.index;
      for (const key of index.getKeys({ start: end, end: start, reverse: true })) {
        const chunk = new IndexChunk(key, index.getBinaryFast(key)!);
        for (let i = chunk.size - 1; i >= 0; i--) {
          const seq = chunk.seq(i);
          if (!this.removed.has(seq)) return seq;
        }
      }
    }
    return undefined;
  }

  /**
   * The chunk whose range holds `seq` (the last chunk with base <= seq), if any. Chunks read through
   * `getBinaryFast` view lmdb's shared read buffer: use them before the next read.
   */
  private chunkAt(index: BinaryDb, subject: string, seq: number): IndexChunk | undefined {
    const tail = this.tailChunks.get(subject);
    if (tail !== undefined && seq >= tail.base) return tail.chunk();
    const { sk, start } = this.keysOf(subject);
    for (const key of index.getKeys({ start: indexKey(sk, seq), end: start, reverse: true, limit: 1 })) {
      return new IndexChunk(key, index.getBinaryFast(key)!);
    }
    return undefined;
  }

  /** A subject's chunks that may hold sequences >= `from`, in order (each valid until the next one). */
  private *chunksFrom(index: BinaryDb, subject: string, from: number): Generator<IndexChunk> {
    const keys = this.keysOf(subject);
    const first = this.chunkAt(index, subject, from);
    const start = first ? first.key : keys.start;
    for (const key of index.getKeys({ start, end: keys.end })) yield new IndexChunk(key, index.getBinaryFast(key)!);
  }

  /** A subject's key and the bounds of its index range, cached for the subjects in use. */
  private keysOf(subject: string): SubjectKeys {
    let k = this.subjectKeys.get(subject);
    if (!k) {
      if (this.subjectKeys.size >= SUBJECT_KEY_CACHE) this.subjectKeys.clear();
      const sk = subjectKey(subject);
      k = { sk, start: indexStart(sk), end: indexEnd(sk) };
      this.subjectKeys.set(subject, k);
    }
    return k;
  }

  /**
   * Inside the commit transaction: applies one subject's removals (committed sequences) and appends to its
   * chunks. `committedBefore` is how many of its messages the databases held before this commit.
   */
  private flushSubjectIndex(index: BinaryDb, subject: string, removals: number[], adds: number[], committedBefore: number): void {
    const { sk } = this.keysOf(subject);
    removals.sort((a, b) => a - b);
    // When every committed message of the subject goes and new ones come (a KV put replacing the key's
    // value), its emptied chunk takes them: one overwrite instead of a delete and a put.
    const emptiedAll = committedBefore === removals.length && adds.length > 0;
    let emptied: TailChunk | undefined;
    for (let i = 0; i < removals.length; ) {
      const chunk = this.chunkAt(index, subject, removals[i]);
      if (!chunk) {
        i++;
        continue;
      }
      const last = chunk.seq(chunk.size - 1);
      const gone = new Set<number>();
      while (i < removals.length && removals[i] <= last) gone.add(removals[i++]);
      const kept = chunk.seqs().filter((seq) => !gone.has(seq));
      // The cached tail is only ever appended to (see TailChunk): a chunk rewritten here leaves the cache.
      if (this.tailChunks.get(subject)?.base === chunk.base) this.tailChunks.delete(subject);
      if (kept.length > 0) index.put(chunk.key, encodeChunk(chunk.base, kept));
      else if (emptiedAll && emptied === undefined && adds[0] - chunk.base < CHUNK_SPAN) emptied = new TailChunk(Buffer.from(chunk.key), chunk.base);
      else index.remove(chunk.key);
    }
    if (adds.length === 0) return;
    // Appends go at the end of the subject's last chunk while it has room, then into new chunks.
    let tail = committedBefore > removals.length ? this.tailOf(index, subject) : emptied;
    let grown = false;
    for (const seq of adds) {
      if (tail === undefined || !tail.takes(seq)) {
        if (grown) index.put(tail!.key, tail!.value());
        tail = new TailChunk(indexKey(sk, seq), seq);
      }
      tail.push(seq);
      grown = true;
    }
    index.put(tail!.key, tail!.value());
    if (this.tailChunks.size >= SUBJECT_KEY_CACHE && !this.tailChunks.has(subject)) this.tailChunks.clear();
    this.tailChunks.set(subject, tail!);
  }

  /** The subject's last chunk in the index: the cached one, or read from the index (the caller caches it). */
  private tailOf(index: BinaryDb, subject: string): TailChunk | undefined {
    const cached = this.tailChunks.get(subject);
    if (cached !== undefined) return cached;
    const chunk = this.chunkAt(index, subject, this.dbLast);
    return chunk === undefined ? undefined : TailChunk.of(chunk);
  }

  private subjectCount(subject: string): number {
    const cached = this.counts.get(subject);
    if (cached !== undefined) return cached;
    if (!this.dbLive) return 0;
    const v = this.dbs!.subjects.getBinaryFast(this.keysOf(subject).sk);
    return v ? decodeCount(v) : 0;
  }

  private subjectCountFrom(subject: string, start: number): number {
    const total = this.subjectCount(subject);
    if (total === 0 || start <= this.firstSeq) return total;
    let n = 0;
    if (this.dbLive && start <= this.dbLast) {
      for (const chunk of this.chunksFrom(this.dbs!.index, subject, start)) n += chunk.size - chunk.lowerBound(start);
      for (const [seq, r] of this.removed) if (seq >= start && r.subject === subject) n--;
    }
    const list = this.pendingBySubject.get(subject);
    if (list) {
      for (let i = lowerBound(list, start); i < list.length; i++) if (this.pending[list[i] - this.pendingBase]) n++;
    }
    return n;
  }

  /** Stored committed messages with sequence >= `start`, counting whichever side of `start` is shorter. */
  private countCommittedFrom(start: number): number {
    if (!this.dbLive || start > this.dbLast) return 0;
    const blocks = this.blocks;
    if (this.dbLast - start <= start - this.firstSeq) {
      let n = blocks.count(start, this.dbLast);
      for (const seq of this.removed.keys()) if (seq >= start) n--;
      return n;
    }
    let below = blocks.count(0, start - 1);
    for (const seq of this.removed.keys()) if (seq < start) below--;
    return this.messages - this.pendingLive - below;
  }

  private countPendingFrom(start: number): number {
    if (start <= this.pendingBase) return this.pendingLive;
    let n = 0;
    for (let i = start - this.pendingBase; i < this.pending.length; i++) if (this.pending[i]) n++;
    return n;
  }

  /** Counts a message more or less under `subject`; returns the count before. */
  private addToSubject(subject: string, delta: 1 | -1): number {
    const before = this.subjectCount(subject);
    const after = before + delta;
    if (before === 0) this.numSubjects++;
    if (after === 0) this.numSubjects--;
    this.counts.set(subject, after);
    this.dirtySubjects.add(subject);
    return before;
  }

  /** Purge of everything: the committed part is dropped as a whole (cleared at the next commit). */
  private clearAll(): void {
    this.pending = [];
    this.pendingLive = 0;
    this.pendingRawBytes = 0;
    this.pendingBase = this.lastSeq + 1;
    this.pendingBySubject.clear();
    this.removed.clear();
    this.counts.clear();
    this.dirtySubjects.clear();
    this.lastBySubject.clear();
    this.firstBySubject.clear();
    this.tailChunks.clear();
    this.recent.clear();
    this.dbCleared = true;
    this.messages = 0;
    this.bytes = 0;
    this.numSubjects = 0;
    this.firstSeq = this.lastSeq + 1;
    this.firstStale = false;
    this.firstTime = undefined;
    this.host.markDirty(this);
  }
}

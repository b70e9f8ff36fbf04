/**
 * The LMDB stream store (file streams). One incarnation of a stream lives in three named databases of its
 * account's environment (see lmdb-account.ts):
 *   msgs:<inc>      seq (8 bytes BE) -> message value (lmdb-codec.ts)
 *   index:<inc>     subjectKey + 0x00 + seq -> empty (lmdb-subjects.ts)
 *   subjects:<inc>  subjectKey -> count
 * plus its counters in the account's `_state` DB (lmdb-state.ts).
 *
 * Writes are buffered here and applied by the account's commit, in one synced transaction:
 * - appends since the last commit: `pending` (sequences pendingBase.., contiguous up to lastSeq);
 * - removals of committed messages: `removed` (sequence -> subject, size, erase);
 * - a purge of everything: `dbCleared` (the committed part is gone; the commit clears the three DBs);
 * - per-subject counts touched since the commit: `counts` (a cache) + `dirtySubjects`.
 * Reads merge the committed databases with this overlay, so every write is visible at once. The overlay is
 * bounded: past `maxPendingOps` operations or `maxPendingBytes` of new messages, the store commits early
 * (durable earlier than asked is harmless; every commit is a consistent prefix of the writes).
 */
import type { Database } from "lmdb";
import { filterMatches, isLiteralFilter, selectsAll } from "./filter.js";
import { decodeMessage, decodeSubject, EncodedMessage, encodeMessage, partLengths, readSeq, seqKey } from "./lmdb-codec.js";
import { encodeState, type PersistedState } from "./lmdb-state.js";
import { countEntrySubject, decodeCount, encodeCount, indexEnd, indexKey, indexStart, subjectKey } from "./lmdb-subjects.js";
import { lowerBound } from "./sorted.js";
import { storedSize } from "./types.js";
import type { PurgeOptions, StorageKind, StoredMessage, StreamState, StreamStore } from "./types.js";

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
}

interface Removal {
  subject: string;
  erase: boolean;
  rawSize: number;
}

/** The per-subject count cache is dropped after a commit when larger than this. */
const COUNT_CACHE_MAX = 10_000;
/** With at most this many subjects, wildcard reads go through the per-subject index instead of scanning. */
const FEW_SUBJECTS = 64;
const EMPTY = Buffer.alloc(0);
/** Scratch key for point reads (lmdb copies keys before using them). */
const SCRATCH_KEY = Buffer.alloc(8);

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
  private isClosed = false;
  private readonly incKey: Buffer;

  private messages: number;
  private bytes: number;
  private firstSeq: number;
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
    this.dbs = dbs;
    const p = persisted ?? { messages: 0, bytes: 0, lastSeq: 0, lastTime: 0n, numSubjects: 0 };
    this.messages = p.messages;
    this.bytes = p.bytes;
    this.lastSeq = p.lastSeq;
    this.lastTime = p.lastTime;
    this.numSubjects = p.numSubjects;
    this.dbLast = p.lastSeq;
    this.pendingBase = p.lastSeq + 1;
    this.firstSeq = p.lastSeq + 1;
    if (dbs && p.messages > 0) {
      for (const key of dbs.msgs.getKeys({ start: seqKey(0), limit: 1 })) this.firstSeq = readSeq(key);
    }
    if (!persisted) host.markDirty(this);
  }

  append(subject: string, headers: Uint8Array | undefined, data: Uint8Array, time: bigint): StoredMessage {
    this.checkOpen();
    const seq = this.lastSeq + 1;
    const m = encodeMessage(seq, subject, headers, data, time);
    this.pending.push(m);
    this.pendingLive++;
    this.pendingRawBytes += m.raw.length;
    let list = this.pendingBySubject.get(subject);
    if (!list) this.pendingBySubject.set(subject, (list = []));
    list.push(seq);
    this.addToSubject(subject, 1);
    if (this.messages === 0) {
      this.firstSeq = seq;
      this.firstTime = time;
    }
    this.messages++;
    this.bytes += sizeOfRaw(m.raw);
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
    if (selectsAll(filter)) return this.getExisting(this.seqFrom(start));
    if (isLiteralFilter(filter)) return this.getExisting(this.subjectSeqFrom(filter, start));
    if (this.numSubjects <= FEW_SUBJECTS) {
      let best: number | undefined;
      for (const subject of this.subjects(filter).keys()) {
        const seq = this.subjectSeqFrom(subject, start);
        if (seq !== undefined && (best === undefined || seq < best)) best = seq;
      }
      return this.getExisting(best);
    }
    if (this.dbLive && start <= this.dbLast) {
      for (const { key, value } of this.dbs!.msgs.getRange({ start: seqKey(start), end: seqKey(this.dbLast + 1) })) {
        const seq = readSeq(key);
        if (!this.removed.has(seq) && filterMatches(decodeSubject(value), filter)) return decodeMessage(seq, value);
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
    if (this.numSubjects <= FEW_SUBJECTS) {
      let best: number | undefined;
      for (const subject of this.subjects(filter).keys()) {
        const seq = this.subjectLastSeq(subject);
        if (seq !== undefined && (best === undefined || seq > best)) best = seq;
      }
      return this.getExisting(best);
    }
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const m = this.pending[i];
      if (m && filterMatches(m.subject, filter)) return m;
    }
    if (this.dbLive) {
      const range = this.dbs!.msgs.getRange({ start: seqKey(this.dbLast), end: seqKey(0), reverse: true });
      for (const { key, value } of range) {
        const seq = readSeq(key);
        if (!this.removed.has(seq) && filterMatches(decodeSubject(value), filter)) return decodeMessage(seq, value);
      }
    }
    return undefined;
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
      size = sizeOfRaw(m.raw);
      if (erase) m.raw.fill(0);
    } else {
      if (!this.dbLive || this.removed.has(seq)) return false;
      const raw = this.dbs!.msgs.getBinaryFast(seqKey(seq, SCRATCH_KEY));
      if (!raw) return false;
      subject = decodeSubject(raw);
      size = sizeOfRaw(raw);
      this.removed.set(seq, { subject, erase, rawSize: raw.length });
    }
    this.messages--;
    this.bytes -= size;
    this.addToSubject(subject, -1);
    if (seq === this.firstSeq) {
      this.firstSeq = this.seqFrom(seq + 1) ?? this.lastSeq + 1;
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
    let removed = 0;
    for (let from = this.firstSeq; removed < limit; ) {
      const seq = all ? this.seqFrom(from) : literal ? this.subjectSeqFrom(filter!, from) : this.next(from, filter)?.seq;
      if (seq === undefined || seq >= below) break;
      this.remove(seq);
      removed++;
      from = seq + 1;
    }
    return removed;
  }

  state(): StreamState {
    this.checkOpen();
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
      for (const { key, value } of this.dbs!.msgs.getRange({ start: seqKey(start), end: seqKey(this.dbLast + 1) })) {
        if (!this.removed.has(readSeq(key)) && filterMatches(decodeSubject(value), filter)) n++;
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
    let expected = this.firstSeq;
    const visit = (seq: number): void => {
      for (let g = expected; g < seq; g++) out.push(g);
      expected = seq + 1;
    };
    if (this.dbLive && this.firstSeq <= this.dbLast) {
      for (const key of this.dbs!.msgs.getKeys({ start: seqKey(this.firstSeq), end: seqKey(this.dbLast + 1) })) {
        const seq = readSeq(key);
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
    const keys = new Map<string, Buffer>();
    const sk = (subject: string): Buffer => {
      let k = keys.get(subject);
      if (!k) keys.set(subject, (k = subjectKey(subject)));
      return k;
    };
    if (this.dbCleared) {
      msgs.clearSync();
      index.clearSync();
      subjects.clearSync();
    } else {
      for (const [seq, r] of this.removed) {
        const key = seqKey(seq);
        // Overwrite, then delete. LMDB is copy-on-write: the page that held the value before this transaction
        // becomes free space and keeps the old bytes until LMDB reuses it; readers never see them again.
        if (r.erase) msgs.put(key, Buffer.alloc(r.rawSize));
        msgs.remove(key);
        index.remove(indexKey(sk(r.subject), seq));
      }
    }
    for (const m of this.pending) {
      if (!m) continue;
      msgs.put(seqKey(m.seq), m.raw);
      index.put(indexKey(sk(m.subject), m.seq), EMPTY);
    }
    for (const subject of this.dirtySubjects) {
      const n = this.counts.get(subject) ?? 0;
      const key = sk(subject);
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

  /** @internal The commit transaction that ran `flushInto` is durable: the overlay becomes the database. */
  afterCommit(): void {
    if (this.newDbs) this.dbs = this.newDbs;
    this.newDbs = undefined;
    this.dbCleared = false;
    this.dbLast = this.lastSeq;
    this.pendingBase = this.lastSeq + 1;
    this.pending = [];
    this.pendingLive = 0;
    this.pendingRawBytes = 0;
    this.pendingBySubject.clear();
    this.removed.clear();
    this.dirtySubjects.clear();
    if (this.counts.size > COUNT_CACHE_MAX) this.counts.clear();
  }

  /** @internal The commit transaction failed (and was aborted): databases it opened are gone. */
  abortFlush(): void {
    this.newDbs = undefined;
  }

  /** @internal The stream was deleted: the store is unusable from now on. */
  detach(): void {
    this.isClosed = true;
    this.dbs = undefined;
    this.pending = [];
    this.removed.clear();
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
    const raw = this.dbs!.msgs.getBinary(seqKey(seq, SCRATCH_KEY));
    return raw ? decodeMessage(seq, raw) : undefined;
  }

  private getExisting(seq: number | undefined): StoredMessage | undefined {
    return seq === undefined ? undefined : seq >= this.pendingBase ? this.pending[seq - this.pendingBase] : this.readCommitted(seq);
  }

  /** The first stored sequence >= `from`. */
  private seqFrom(from: number): number | undefined {
    if (this.dbLive && from <= this.dbLast) {
      for (const key of this.dbs!.msgs.getKeys({ start: seqKey(from), end: seqKey(this.dbLast + 1) })) {
        const seq = readSeq(key);
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
      for (const key of this.dbs!.msgs.getKeys({ start: seqKey(top), end: seqKey(0), reverse: true })) {
        const seq = readSeq(key);
        if (!this.removed.has(seq)) return seq;
      }
    }
    return undefined;
  }

  /** The first sequence >= `from` stored under the literal `subject`. */
  private subjectSeqFrom(subject: string, from: number): number | undefined {
    if (this.dbLive && from <= this.dbLast) {
      const sk = subjectKey(subject);
      for (const key of this.dbs!.index.getKeys({ start: indexKey(sk, from), end: indexEnd(sk) })) {
        const seq = readSeq(key);
        if (!this.removed.has(seq)) return seq;
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
    const list = this.pendingBySubject.get(subject);
    if (list) {
      for (let i = list.length - 1; i >= 0; i--) {
        if (this.pending[list[i] - this.pendingBase]) return list[i];
      }
    }
    if (this.dbLive) {
      const sk = subjectKey(subject);
      for (const key of this.dbs!.index.getKeys({ start: indexEnd(sk), end: indexStart(sk), reverse: true })) {
        const seq = readSeq(key);
        if (!this.removed.has(seq)) return seq;
      }
    }
    return undefined;
  }

  private subjectCount(subject: string): number {
    const cached = this.counts.get(subject);
    if (cached !== undefined) return cached;
    if (!this.dbLive) return 0;
    const v = this.dbs!.subjects.getBinaryFast(subjectKey(subject));
    return v ? decodeCount(v) : 0;
  }

  private subjectCountFrom(subject: string, start: number): number {
    const total = this.subjectCount(subject);
    if (total === 0 || start <= this.firstSeq) return total;
    let n = 0;
    if (this.dbLive && start <= this.dbLast) {
      const sk = subjectKey(subject);
      n = this.dbs!.index.getKeysCount({ start: indexKey(sk, start), end: indexEnd(sk) });
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
    const msgs = this.dbs!.msgs;
    if (this.dbLast - start <= start - this.firstSeq) {
      let n = msgs.getKeysCount({ start: seqKey(start), end: seqKey(this.dbLast + 1) });
      for (const seq of this.removed.keys()) if (seq >= start) n--;
      return n;
    }
    let below = msgs.getKeysCount({ start: seqKey(0), end: seqKey(start) });
    for (const seq of this.removed.keys()) if (seq < start) below--;
    return this.messages - this.pendingLive - below;
  }

  private countPendingFrom(start: number): number {
    if (start <= this.pendingBase) return this.pendingLive;
    let n = 0;
    for (let i = start - this.pendingBase; i < this.pending.length; i++) if (this.pending[i]) n++;
    return n;
  }

  private addToSubject(subject: string, delta: 1 | -1): void {
    const before = this.subjectCount(subject);
    const after = before + delta;
    if (before === 0) this.numSubjects++;
    if (after === 0) this.numSubjects--;
    this.counts.set(subject, after);
    this.dirtySubjects.add(subject);
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
    this.dbCleared = true;
    this.messages = 0;
    this.bytes = 0;
    this.numSubjects = 0;
    this.firstSeq = this.lastSeq + 1;
    this.firstTime = undefined;
    this.host.markDirty(this);
  }
}

/** What a stored value counts for in `bytes` (file storage). */
function sizeOfRaw(raw: Uint8Array): number {
  const [s, h, d] = partLengths(raw);
  return storedSize(s, h, d, "file");
}

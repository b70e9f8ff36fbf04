/**
 * The memory stream store: messages in arrays indexed by sequence, with a per-subject index (an ascending
 * sequence list per subject) so literal-subject reads, counts and purges do not walk the stream.
 *
 * Layout: the stream is a list of runs of consecutive sequences (`Run`): `slots[i]` of a run holds sequence
 * `base + i` (undefined once removed). Appends extend the last run; `appendAt` past a long gap starts a new
 * run instead, so a skip of millions of sequences costs one run, not one slot per sequence (a short gap is
 * filled with empty slots: cheaper than a run for the reads that cross it). Sequences between runs are
 * deleted. There is one run unless mirrors skipped sequences.
 * Slots are grouped in blocks of 1024 with a live count per block (and per run), so skipping long stretches
 * of removed messages and counting from a sequence are O(n / 1024 + runs) at worst. Removals at the front advance `firstSeq`;
 * runs left without messages at the front are dropped, and a run's dead prefix is cut off once it is half of it.
 */
import { filterMatches, isLiteralFilter, selectsAll } from "./filter.js";
import { SeqList } from "./seq-list.js";
import { checkAppendSeq, messageSize } from "./types.js";
import type { PurgeOptions, StorageKind, StoredMessage, StreamState, StreamStore } from "./types.js";

const BLOCK_SHIFT = 10;
const BLOCK = 1 << BLOCK_SHIFT;
const BLOCK_MASK = BLOCK - 1;
/** With at most this many subjects, wildcard reads go through the per-subject index instead of scanning. */
const FEW_SUBJECTS = 64;
/** `appendAt` fills a gap shorter than this with empty slots; a longer one starts a new run. */
const RUN_GAP = BLOCK;

/** Bytes of stored messages are copied into chunks of this size (a larger message gets its own buffer). */
const CHUNK = 32 * 1024;
/** Messages up to this size share chunks; bigger ones would waste the rest of one. */
const CHUNK_SHARED_MAX = CHUNK / 4;

/**
 * A stored message: its headers and data are a range of a chunk shared with its neighbours, handed out as
 * fresh views. Why not keep the views: a message that stays costs the garbage collector per object each
 * time it is copied on its way to the old generation, and two views (a typed array object each) were
 * most of a message's objects. The chunk is freed once no message in it is kept.
 */
class MemoryMessage implements StoredMessage {
  constructor(
    readonly seq: number,
    readonly subject: string,
    readonly time: bigint,
    private readonly chunk: Buffer,
    /** Where the headers start in `chunk` (the data follows them). */
    private readonly at: number,
    private readonly hlen: number,
    private readonly dlen: number,
    /** What the message counts for in `bytes`. */
    readonly size: number,
  ) {}

  get headers(): Uint8Array | undefined {
    return this.hlen > 0 ? this.chunk.subarray(this.at, this.at + this.hlen) : undefined;
  }

  get data(): Uint8Array {
    const start = this.at + this.hlen;
    return this.chunk.subarray(start, start + this.dlen);
  }

  /** Zeroes the message's bytes (an erasing delete). */
  erase(): void {
    this.chunk.fill(0, this.at, this.at + this.hlen + this.dlen);
  }
}

/** Consecutive sequences from `base`: `slots[i]` holds `base + i`, undefined once removed (or skipped). */
class Run {
  slots: (MemoryMessage | undefined)[] = [];
  /** Live messages per block of BLOCK slots (blocks counted from `base`). */
  blockLive: number[] = [];
  /** Live messages in the whole run. */
  live = 0;

  constructor(public base: number) {}

  /** One past the run's last sequence. */
  get end(): number {
    return this.base + this.slots.length;
  }

  get(seq: number): MemoryMessage | undefined {
    const i = seq - this.base;
    return i >= 0 && i < this.slots.length ? this.slots[i] : undefined;
  }

  /** Appends `m` at `end`. */
  push(m: MemoryMessage): void {
    const i = this.slots.length;
    this.slots.push(m);
    const b = i >> BLOCK_SHIFT;
    if (b === this.blockLive.length) this.blockLive.push(1);
    else this.blockLive[b]++;
    this.live++;
  }

  /** Appends `n` empty slots (skipped sequences). */
  skip(n: number): void {
    for (let k = 0; k < n; k++) this.slots.push(undefined);
    const blocks = (this.slots.length + BLOCK_MASK) >> BLOCK_SHIFT;
    while (this.blockLive.length < blocks) this.blockLive.push(0);
  }

  /** Removes the message at `seq`; returns it, or undefined when it was not there. */
  remove(seq: number): MemoryMessage | undefined {
    const i = seq - this.base;
    const m = i >= 0 && i < this.slots.length ? this.slots[i] : undefined;
    if (!m) return undefined;
    this.slots[i] = undefined;
    this.blockLive[i >> BLOCK_SHIFT]--;
    this.live--;
    return m;
  }

  /** The first message with sequence >= `seq`, skipping empty blocks. */
  liveFrom(seq: number): MemoryMessage | undefined {
    if (this.live === 0) return undefined;
    const slots = this.slots;
    const n = slots.length;
    let i = Math.max(seq - this.base, 0);
    while (i < n) {
      if ((i & BLOCK_MASK) === 0 && this.blockLive[i >> BLOCK_SHIFT] === 0) {
        i += BLOCK;
        continue;
      }
      const m = slots[i];
      if (m) return m;
      i++;
    }
    return undefined;
  }

  /** The last message with sequence <= `seq`, skipping empty blocks. */
  liveAtOrBefore(seq: number): MemoryMessage | undefined {
    if (this.live === 0) return undefined;
    const slots = this.slots;
    let i = Math.min(seq - this.base, slots.length - 1);
    while (i >= 0) {
      if ((i & BLOCK_MASK) === BLOCK_MASK && this.blockLive[i >> BLOCK_SHIFT] === 0) {
        i -= BLOCK;
        continue;
      }
      const m = slots[i];
      if (m) return m;
      i--;
    }
    return undefined;
  }

  /** Messages with sequence >= `seq`. */
  countFrom(seq: number): number {
    const i = seq - this.base;
    if (i <= 0) return this.live;
    if (i >= this.slots.length) return 0;
    const b = i >> BLOCK_SHIFT;
    const blockEnd = Math.min((b + 1) << BLOCK_SHIFT, this.slots.length);
    let n = 0;
    for (let j = i; j < blockEnd; j++) if (this.slots[j]) n++;
    for (let k = b + 1; k < this.blockLive.length; k++) n += this.blockLive[k];
    return n;
  }

  /** Pushes onto `out` the empty slots' sequences from `from` (at least `base`) to the end. */
  deletedFrom(from: number, out: number[]): void {
    for (let i = Math.max(from - this.base, 0); i < this.slots.length; ) {
      if ((i & BLOCK_MASK) === 0 && this.blockLive[i >> BLOCK_SHIFT] === BLOCK) {
        i += BLOCK;
        continue;
      }
      if (!this.slots[i]) out.push(this.base + i);
      i++;
    }
  }

  /** Drops the dead prefix below `first` once it is at least half the run (whole blocks: alignment holds). */
  trimBefore(first: number): void {
    const dead = first - this.base;
    if (dead < BLOCK || dead * 2 < this.slots.length) return;
    const blocks = dead >> BLOCK_SHIFT;
    this.slots = this.slots.slice(blocks << BLOCK_SHIFT);
    this.blockLive = this.blockLive.slice(blocks);
    this.base += blocks << BLOCK_SHIFT;
  }
}

export interface MemoryStreamStoreOptions {
  /**
   * How `bytes` counts a message (see `messageSize`): "memory" (default) as nats-server's memory streams, or
   * "file" to stand in for a file stream (MemoryAccountStore, tests comparing with the LMDB store).
   */
  kind?: StorageKind;
}

export class MemoryStreamStore implements StreamStore {
  readonly kind: StorageKind;
  /**
   * The runs, ascending and disjoint; `runs[head..]` are kept (the ones before are dead, dropped in bulk).
   * When there are messages the last run ends at lastSeq.
   */
  private runs: Run[] = [];
  private head = 0;
  /** The last run (where appends go), undefined when there is none. */
  private tail: Run | undefined;
  private readonly bySubject = new Map<string, SeqList>();
  /** Where the next small message's bytes go (see CHUNK): a new chunk once this one is full. */
  private chunk = Buffer.alloc(0);
  private chunkUsed = 0;
  private messages = 0;
  private bytes = 0;
  private firstSeq = 1;
  private lastSeq = 0;
  private lastTime = 0n;

  constructor(options: MemoryStreamStoreOptions = {}) {
    this.kind = options.kind ?? "memory";
  }

  append(subject: string, headers: Uint8Array | undefined, data: Uint8Array, time: bigint): StoredMessage {
    return this.put(this.lastSeq + 1, subject, headers, data, time);
  }

  appendAt(seq: number, subject: string, headers: Uint8Array | undefined, data: Uint8Array, time: bigint): StoredMessage {
    checkAppendSeq(seq, this.lastSeq);
    return this.put(seq, subject, headers, data, time);
  }

  get(seq: number): StoredMessage | undefined {
    const k = this.runIndex(seq);
    return k >= this.head ? this.runs[k].get(seq) : undefined;
  }

  next(from: number, filter?: string): StoredMessage | undefined {
    if (this.messages === 0) return undefined;
    const start = Math.max(Math.ceil(from), this.firstSeq);
    if (start > this.lastSeq) return undefined;
    if (selectsAll(filter)) return this.liveFrom(start);
    if (isLiteralFilter(filter)) {
      const seq = this.bySubject.get(filter)?.firstFrom(start);
      return seq === undefined ? undefined : this.get(seq);
    }
    if (this.bySubject.size <= FEW_SUBJECTS) {
      let best = Infinity;
      for (const [subject, list] of this.bySubject) {
        if (!filterMatches(subject, filter)) continue;
        const seq = list.firstFrom(start);
        if (seq !== undefined && seq < best) best = seq;
      }
      return best === Infinity ? undefined : this.get(best);
    }
    for (let m = this.liveFrom(start); m; m = this.liveFrom(m.seq + 1)) {
      if (filterMatches(m.subject, filter)) return m;
    }
    return undefined;
  }

  last(filter: string): StoredMessage | undefined {
    if (this.messages === 0) return undefined;
    if (selectsAll(filter)) return this.liveAtOrBefore(this.lastSeq);
    if (isLiteralFilter(filter)) {
      const seq = this.bySubject.get(filter)?.last();
      return seq === undefined ? undefined : this.get(seq);
    }
    if (this.bySubject.size <= FEW_SUBJECTS) {
      let best = -1;
      for (const [subject, list] of this.bySubject) {
        if (filterMatches(subject, filter)) best = Math.max(best, list.last() ?? -1);
      }
      return best < 0 ? undefined : this.get(best);
    }
    for (let m = this.liveAtOrBefore(this.lastSeq); m; m = this.liveAtOrBefore(m.seq - 1)) {
      if (filterMatches(m.subject, filter)) return m;
    }
    return undefined;
  }

  remove(seq: number, erase = false): boolean {
    const k = this.runIndex(seq);
    const m = k >= this.head ? this.runs[k].remove(seq) : undefined;
    if (!m) return false;
    const list = this.bySubject.get(m.subject)!;
    list.remove(seq);
    if (list.size === 0) this.bySubject.delete(m.subject);
    this.messages--;
    this.bytes -= m.size;
    if (erase) m.erase();
    if (seq === this.firstSeq) {
      this.firstSeq = this.liveFrom(seq + 1)?.seq ?? this.lastSeq + 1;
      this.compact();
    }
    return true;
  }

  purge(opts: PurgeOptions = {}): number {
    if (this.messages === 0) return 0;
    const below = opts.seq !== undefined && opts.seq > 0 ? opts.seq : Infinity;
    if (selectsAll(opts.filter) && opts.keep === undefined && below > this.lastSeq) {
      const n = this.messages;
      this.clear();
      return n;
    }
    const targets = this.purgeTargets(opts.filter, below, opts.keep);
    for (const seq of targets) this.remove(seq);
    return targets.length;
  }

  get storedMessages(): number {
    return this.messages;
  }

  get storedBytes(): number {
    return this.bytes;
  }

  state(): StreamState {
    const empty = this.messages === 0;
    return {
      messages: this.messages,
      bytes: this.bytes,
      firstSeq: this.firstSeq,
      firstTime: empty ? 0n : this.get(this.firstSeq)!.time,
      lastSeq: this.lastSeq,
      lastTime: this.lastTime,
      numDeleted: empty ? 0 : this.lastSeq - this.firstSeq + 1 - this.messages,
      numSubjects: this.bySubject.size,
    };
  }

  subjects(filter?: string): Map<string, number> {
    const out = new Map<string, number>();
    if (selectsAll(filter)) {
      for (const [subject, list] of this.bySubject) out.set(subject, list.size);
    } else if (isLiteralFilter(filter)) {
      const list = this.bySubject.get(filter);
      if (list) out.set(filter, list.size);
    } else {
      for (const [subject, list] of this.bySubject) if (filterMatches(subject, filter)) out.set(subject, list.size);
    }
    return out;
  }

  count(from: number, filter?: string): number {
    if (this.messages === 0) return 0;
    const start = Math.max(Math.ceil(from), this.firstSeq);
    if (start > this.lastSeq) return 0;
    if (selectsAll(filter)) return start === this.firstSeq ? this.messages : this.countLiveFrom(start);
    if (isLiteralFilter(filter)) return this.bySubject.get(filter)?.countFrom(start) ?? 0;
    if (start === this.firstSeq || this.bySubject.size <= this.lastSeq - start + 1) {
      let n = 0;
      for (const [subject, list] of this.bySubject) {
        if (filterMatches(subject, filter)) n += start === this.firstSeq ? list.size : list.countFrom(start);
      }
      return n;
    }
    let n = 0;
    for (let m = this.liveFrom(start); m; m = this.liveFrom(m.seq + 1)) if (filterMatches(m.subject, filter)) n++;
    return n;
  }

  deleted(): number[] {
    const out: number[] = [];
    if (this.messages === 0) return out;
    // Sequences between runs were skipped: listed one by one, as the interface asks.
    let expected = this.firstSeq;
    for (let k = this.head; k < this.runs.length; k++) {
      const run = this.runs[k];
      if (run.end <= expected) continue;
      for (; expected < run.base; expected++) out.push(expected);
      run.deletedFrom(expected, out);
      expected = run.end;
    }
    return out;
  }

  commit(): void {}

  close(): void {}

  /** Stores a message under `seq` (> lastSeq), skipping the sequences in between. */
  private put(seq: number, subject: string, headers: Uint8Array | undefined, data: Uint8Array, time: bigint): StoredMessage {
    // One private copy of headers + data: the caller may reuse its buffers, and erase must not touch theirs.
    const hlen = headers?.length ?? 0;
    const total = hlen + data.length;
    let chunk: Buffer;
    let at = 0;
    if (total > CHUNK_SHARED_MAX) chunk = Buffer.allocUnsafe(total);
    else {
      if (this.chunkUsed + total > this.chunk.length) {
        this.chunk = Buffer.allocUnsafe(CHUNK);
        this.chunkUsed = 0;
      }
      chunk = this.chunk;
      at = this.chunkUsed;
      this.chunkUsed += total;
    }
    if (hlen > 0) chunk.set(headers!, at);
    chunk.set(data, at + hlen);
    const size = messageSize(subject, hlen > 0 ? headers : undefined, data, this.kind);
    const msg = new MemoryMessage(seq, subject, time, chunk, at, hlen, data.length, size);

    this.runEndingAt(seq).push(msg);
    let list = this.bySubject.get(subject);
    if (!list) this.bySubject.set(subject, (list = new SeqList()));
    list.push(seq);

    if (this.messages === 0) this.firstSeq = seq;
    this.messages++;
    this.bytes += size;
    this.lastSeq = seq;
    this.lastTime = time;
    return msg;
  }

  /** The run `seq` (> lastSeq) is to be appended to: the last one (a short gap filled) or a new one. */
  private runEndingAt(seq: number): Run {
    const tail = this.tail;
    if (tail) {
      const gap = seq - tail.end;
      if (gap === 0) return tail;
      if (gap < RUN_GAP) {
        tail.skip(gap);
        return tail;
      }
    }
    const run = new Run(seq);
    this.runs.push(run);
    this.tail = run;
    return run;
  }

  /** The index of the run that may hold `seq` (the last one with base <= seq), or head - 1 when none. */
  private runIndex(seq: number): number {
    const runs = this.runs;
    let hi = runs.length;
    // Nearly always one run, or a read near the end.
    if (this.tail && this.tail.base <= seq) return hi - 1;
    let lo = this.head;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (runs[mid].base <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The first stored message with sequence >= `seq`. */
  private liveFrom(seq: number): MemoryMessage | undefined {
    for (let k = Math.max(this.runIndex(seq), this.head); k < this.runs.length; k++) {
      const m = this.runs[k].liveFrom(seq);
      if (m) return m;
    }
    return undefined;
  }

  /** The last stored message with sequence <= `seq`. */
  private liveAtOrBefore(seq: number): MemoryMessage | undefined {
    for (let k = this.runIndex(seq); k >= this.head; k--) {
      const m = this.runs[k].liveAtOrBefore(seq);
      if (m) return m;
    }
    return undefined;
  }

  private countLiveFrom(seq: number): number {
    const k = this.runIndex(seq);
    let n = k >= this.head ? this.runs[k].countFrom(seq) : 0;
    for (let j = Math.max(k + 1, this.head); j < this.runs.length; j++) n += this.runs[j].live;
    return n;
  }

  /** Sequences (ascending) a purge removes: matching `filter`, below `below`, all but the newest `keep` matches. */
  private purgeTargets(filter: string | undefined, below: number, keep: number | undefined): number[] {
    const all = selectsAll(filter);
    const literal = !all && isLiteralFilter(filter);
    let limit = Infinity;
    if (keep !== undefined) {
      let total = 0;
      if (all) total = this.messages;
      else if (literal) total = this.bySubject.get(filter)?.size ?? 0;
      else for (const [subject, list] of this.bySubject) if (filterMatches(subject, filter)) total += list.size;
      limit = Math.max(0, total - keep);
    }
    if (limit === 0) return [];
    if (literal) return this.bySubject.get(filter!)?.take(limit, below) ?? [];
    const out: number[] = [];
    for (let m = this.liveFrom(this.firstSeq); m && m.seq < below && out.length < limit; m = this.liveFrom(m.seq + 1)) {
      if (all || filterMatches(m.subject, filter!)) out.push(m.seq);
    }
    return out;
  }

  private clear(): void {
    this.runs = [];
    this.head = 0;
    this.tail = undefined;
    this.bySubject.clear();
    this.messages = 0;
    this.bytes = 0;
    this.firstSeq = this.lastSeq + 1;
  }

  /** After the first message went: drops what is below the new firstSeq (dead runs, a dead prefix). */
  private compact(): void {
    if (this.messages === 0) {
      this.clear();
      return;
    }
    if (this.runs[this.head] !== this.tail) this.dropRunsBefore(this.firstSeq);
    this.runs[this.head].trimBefore(this.firstSeq);
  }

  /** Drops the runs that end at or below `first` (all dead), in bulk once they are half the list. */
  private dropRunsBefore(first: number): void {
    while (this.runs[this.head].end <= first) this.head++;
    if (this.head * 2 >= this.runs.length) {
      this.runs = this.runs.slice(this.head);
      this.head = 0;
    }
  }
}

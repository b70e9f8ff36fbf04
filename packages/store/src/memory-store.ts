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

/**
 * Bytes of stored messages are copied into chunks of this size (a larger message gets its own buffer). A
 * chunk lives while any of its messages does, so a message left behind by removals around it (a work
 * queue's unacknowledged one) can hold up to a chunk: the size of Node's Buffer pool slab, which held the
 * same way when each message was a pooled Buffer.
 */
const CHUNK = 8 * 1024;
/** Messages up to this size share chunks; bigger ones would waste the rest of one. */
const CHUNK_SHARED_MAX = CHUNK / 4;

/**
 * A stored message as handed out: made on each read from its run's columns (see Run); its headers and
 * data are views of the chunk holding its bytes.
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

  // Plain Uint8Array views: Buffer#subarray's species construction costs more, per delivery.
  get headers(): Uint8Array | undefined {
    return this.hlen > 0 ? new Uint8Array(this.chunk.buffer, this.chunk.byteOffset + this.at, this.hlen) : undefined;
  }

  get data(): Uint8Array {
    return new Uint8Array(this.chunk.buffer, this.chunk.byteOffset + this.at + this.hlen, this.dlen);
  }

  /** Zeroes the message's bytes (an erasing delete). */
  erase(): void {
    this.chunk.fill(0, this.at, this.at + this.hlen + this.dlen);
  }
}

/** Slots a new run has room for before its columns grow (doubling). */
const RUN_INITIAL = 64;

/**
 * Consecutive sequences from `base`: slot `i` holds `base + i`, empty once removed (or skipped).
 *
 * A slot is a row across columns (subject, chunk, time, offset, lengths, size), not an object: a stored
 * message is then no object of its own for the garbage collector to copy into the old generation and
 * trace there (with an object and a bigint per message, scavenges were the memory stream's largest cost
 * after routing). Readers get a MemoryMessage made for them.
 */
class Run {
  /** Slots in use: sequences `base` to `base + length - 1`. */
  length = 0;
  /** Per slot: the subject; undefined marks an empty slot. */
  private subjects: (string | undefined)[] = [];
  /** Per slot: the chunk holding the bytes (dropped with the message, so a chunk goes with its last one). */
  private chunks: (Buffer | undefined)[] = [];
  private times = new BigInt64Array(RUN_INITIAL);
  private offsets = new Int32Array(RUN_INITIAL);
  private hlens = new Int32Array(RUN_INITIAL);
  private dlens = new Int32Array(RUN_INITIAL);
  private sizes = new Float64Array(RUN_INITIAL);
  /** Live messages per block of BLOCK slots (blocks counted from `base`). */
  blockLive: number[] = [];
  /** Live messages in the whole run. */
  live = 0;

  constructor(public base: number) {}

  /** One past the run's last sequence. */
  get end(): number {
    return this.base + this.length;
  }

  /** Whether slot `i` holds a message. */
  private full(i: number): boolean {
    return this.subjects[i] !== undefined;
  }

  private message(i: number): MemoryMessage {
    return new MemoryMessage(this.base + i, this.subjects[i]!, this.times[i], this.chunks[i]!, this.offsets[i], this.hlens[i], this.dlens[i], this.sizes[i]);
  }

  get(seq: number): MemoryMessage | undefined {
    const i = seq - this.base;
    return i >= 0 && i < this.length && this.full(i) ? this.message(i) : undefined;
  }

  /** The subject stored at `seq`, undefined when the slot is empty or outside the run. */
  subjectAt(seq: number): string | undefined {
    const i = seq - this.base;
    return i >= 0 && i < this.length ? this.subjects[i] : undefined;
  }

  /** Appends a message at `end`; returns it. */
  push(subject: string, time: bigint, chunk: Buffer, at: number, hlen: number, dlen: number, size: number): MemoryMessage {
    const i = this.length;
    this.room(i + 1);
    this.subjects.push(subject);
    this.chunks.push(chunk);
    this.times[i] = time;
    this.offsets[i] = at;
    this.hlens[i] = hlen;
    this.dlens[i] = dlen;
    this.sizes[i] = size;
    this.length = i + 1;
    const b = i >> BLOCK_SHIFT;
    if (b === this.blockLive.length) this.blockLive.push(1);
    else this.blockLive[b]++;
    this.live++;
    return this.message(i);
  }

  /** Appends `n` empty slots (skipped sequences). */
  skip(n: number): void {
    this.room(this.length + n);
    for (let k = 0; k < n; k++) {
      this.subjects.push(undefined);
      this.chunks.push(undefined);
    }
    this.length += n;
    const blocks = (this.length + BLOCK_MASK) >> BLOCK_SHIFT;
    while (this.blockLive.length < blocks) this.blockLive.push(0);
  }

  /** Removes the message at `seq`; returns it, or undefined when it was not there. */
  remove(seq: number): MemoryMessage | undefined {
    const m = this.get(seq);
    if (m === undefined) return undefined;
    const i = seq - this.base;
    this.subjects[i] = undefined;
    this.chunks[i] = undefined;
    this.blockLive[i >> BLOCK_SHIFT]--;
    this.live--;
    return m;
  }

  /** The first sequence >= `seq` holding a message, skipping empty blocks; -1 when none. */
  liveFrom(seq: number): number {
    if (this.live === 0) return -1;
    const n = this.length;
    let i = Math.max(seq - this.base, 0);
    while (i < n) {
      if ((i & BLOCK_MASK) === 0 && this.blockLive[i >> BLOCK_SHIFT] === 0) {
        i += BLOCK;
        continue;
      }
      if (this.full(i)) return this.base + i;
      i++;
    }
    return -1;
  }

  /** The last sequence <= `seq` holding a message, skipping empty blocks; -1 when none. */
  liveAtOrBefore(seq: number): number {
    if (this.live === 0) return -1;
    let i = Math.min(seq - this.base, this.length - 1);
    while (i >= 0) {
      if ((i & BLOCK_MASK) === BLOCK_MASK && this.blockLive[i >> BLOCK_SHIFT] === 0) {
        i -= BLOCK;
        continue;
      }
      if (this.full(i)) return this.base + i;
      i--;
    }
    return -1;
  }

  /** Messages with sequence >= `seq`. */
  countFrom(seq: number): number {
    const i = seq - this.base;
    if (i <= 0) return this.live;
    if (i >= this.length) return 0;
    const b = i >> BLOCK_SHIFT;
    const blockEnd = Math.min((b + 1) << BLOCK_SHIFT, this.length);
    let n = 0;
    for (let j = i; j < blockEnd; j++) if (this.full(j)) n++;
    for (let k = b + 1; k < this.blockLive.length; k++) n += this.blockLive[k];
    return n;
  }

  /** Pushes onto `out` the empty slots' sequences from `from` (at least `base`) to the end. */
  deletedFrom(from: number, out: number[]): void {
    for (let i = Math.max(from - this.base, 0); i < this.length; ) {
      if ((i & BLOCK_MASK) === 0 && this.blockLive[i >> BLOCK_SHIFT] === BLOCK) {
        i += BLOCK;
        continue;
      }
      if (!this.full(i)) out.push(this.base + i);
      i++;
    }
  }

  /** Drops the dead prefix below `first` once it is at least half the run (whole blocks: alignment holds). */
  trimBefore(first: number): void {
    const dead = first - this.base;
    if (dead < BLOCK || dead * 2 < this.length) return;
    const cut = (dead >> BLOCK_SHIFT) << BLOCK_SHIFT;
    this.subjects = this.subjects.slice(cut);
    this.chunks = this.chunks.slice(cut);
    // Room for the slots kept and as many again: the run goes on growing.
    const keep = this.length - cut;
    this.resize(cut, Math.max(RUN_INITIAL, keep * 2));
    this.blockLive = this.blockLive.slice(cut >> BLOCK_SHIFT);
    this.base += cut;
    this.length = keep;
  }

  /** Makes the columns hold at least `n` slots (doubling). */
  private room(n: number): void {
    const cap = this.times.length;
    if (n > cap) this.resize(0, Math.max(n, cap * 2));
  }

  /** New typed columns of `cap` slots holding the slots from `from` to the end. */
  private resize(from: number, cap: number): void {
    const end = this.length;
    const times = new BigInt64Array(cap);
    times.set(this.times.subarray(from, end));
    this.times = times;
    const sizes = new Float64Array(cap);
    sizes.set(this.sizes.subarray(from, end));
    this.sizes = sizes;
    this.offsets = movedInt32(this.offsets, from, end, cap);
    this.hlens = movedInt32(this.hlens, from, end, cap);
    this.dlens = movedInt32(this.dlens, from, end, cap);
  }
}

/** A new Int32Array of `cap` holding `column[from, end)` at its start. */
function movedInt32(column: Int32Array<ArrayBuffer>, from: number, end: number, cap: number): Int32Array<ArrayBuffer> {
  const out = new Int32Array(cap);
  out.set(column.subarray(from, end));
  return out;
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
    if (selectsAll(filter)) return this.get(this.liveFrom(start));
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
    for (let seq = this.liveFrom(start); seq >= 0; seq = this.liveFrom(seq + 1)) {
      if (filterMatches(this.subjectAt(seq), filter)) return this.get(seq);
    }
    return undefined;
  }

  last(filter: string): StoredMessage | undefined {
    if (this.messages === 0) return undefined;
    if (selectsAll(filter)) return this.get(this.liveAtOrBefore(this.lastSeq));
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
    for (let seq = this.liveAtOrBefore(this.lastSeq); seq >= 0; seq = this.liveAtOrBefore(seq - 1)) {
      if (filterMatches(this.subjectAt(seq), filter)) return this.get(seq);
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
      const next = this.liveFrom(seq + 1);
      this.firstSeq = next >= 0 ? next : this.lastSeq + 1;
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
    for (let seq = this.liveFrom(start); seq >= 0; seq = this.liveFrom(seq + 1)) if (filterMatches(this.subjectAt(seq), filter)) n++;
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
    const msg = this.runEndingAt(seq).push(subject, time, chunk, at, hlen, data.length, size);
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

  /** The first sequence >= `seq` holding a message; -1 when none. */
  private liveFrom(seq: number): number {
    for (let k = Math.max(this.runIndex(seq), this.head); k < this.runs.length; k++) {
      const found = this.runs[k].liveFrom(seq);
      if (found >= 0) return found;
    }
    return -1;
  }

  /** The last sequence <= `seq` holding a message; -1 when none. */
  private liveAtOrBefore(seq: number): number {
    for (let k = this.runIndex(seq); k >= this.head; k--) {
      const found = this.runs[k].liveAtOrBefore(seq);
      if (found >= 0) return found;
    }
    return -1;
  }

  /** The subject of the message at `seq` (one the scans above found). */
  private subjectAt(seq: number): string {
    return this.runs[this.runIndex(seq)].subjectAt(seq)!;
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
    for (let seq = this.liveFrom(this.firstSeq); seq >= 0 && seq < below && out.length < limit; seq = this.liveFrom(seq + 1)) {
      if (all || filterMatches(this.subjectAt(seq), filter!)) out.push(seq);
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

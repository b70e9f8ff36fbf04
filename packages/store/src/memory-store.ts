/**
 * The memory stream store: messages in an array indexed by sequence, with a per-subject index (an ascending
 * sequence list per subject) so literal-subject reads, counts and purges do not walk the stream.
 *
 * Layout: `slots[i]` holds sequence `base + i` (undefined once removed). Slots are grouped in blocks of 1024
 * with a live count per block, so skipping long gaps and counting from a sequence are O(n / 1024) at worst.
 * Removals at the front advance `firstSeq`; the dead prefix is cut off once it is half the array.
 */
import { filterMatches, isLiteralFilter, selectsAll } from "./filter.js";
import { SeqList } from "./seq-list.js";
import { messageSize } from "./types.js";
import type { PurgeOptions, StorageKind, StoredMessage, StreamState, StreamStore } from "./types.js";

const BLOCK_SHIFT = 10;
const BLOCK = 1 << BLOCK_SHIFT;
const BLOCK_MASK = BLOCK - 1;
/** With at most this many subjects, wildcard reads go through the per-subject index instead of scanning. */
const FEW_SUBJECTS = 64;

class MemoryMessage implements StoredMessage {
  constructor(
    readonly seq: number,
    readonly subject: string,
    readonly time: bigint,
    readonly headers: Uint8Array | undefined,
    readonly data: Uint8Array,
    /** What the message counts for in `bytes`. */
    readonly size: number,
  ) {}
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
  private slots: (MemoryMessage | undefined)[] = [];
  /** The sequence of `slots[0]`; blocks are counted from here. */
  private base = 1;
  private blockLive: number[] = [];
  private readonly bySubject = new Map<string, SeqList>();
  private messages = 0;
  private bytes = 0;
  private firstSeq = 1;
  private lastSeq = 0;
  private lastTime = 0n;

  constructor(options: MemoryStreamStoreOptions = {}) {
    this.kind = options.kind ?? "memory";
  }

  append(subject: string, headers: Uint8Array | undefined, data: Uint8Array, time: bigint): StoredMessage {
    const seq = this.lastSeq + 1;
    // One private copy of headers + data: the caller may reuse its buffers, and erase must not touch theirs.
    const hlen = headers?.length ?? 0;
    const buf = Buffer.allocUnsafe(hlen + data.length);
    if (hlen > 0) buf.set(headers!, 0);
    buf.set(data, hlen);
    const hdr = hlen > 0 ? buf.subarray(0, hlen) : undefined;
    const size = messageSize(subject, hdr, data, this.kind);
    const msg = new MemoryMessage(seq, subject, time, hdr, buf.subarray(hlen), size);

    const i = this.slots.length; // == seq - base: appends are contiguous
    this.slots.push(msg);
    const b = i >> BLOCK_SHIFT;
    if (b === this.blockLive.length) this.blockLive.push(1);
    else this.blockLive[b]++;
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

  get(seq: number): StoredMessage | undefined {
    const i = seq - this.base;
    return i >= 0 && i < this.slots.length ? this.slots[i] : undefined;
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
    const i = seq - this.base;
    if (!(i >= 0 && i < this.slots.length)) return false;
    const m = this.slots[i];
    if (!m) return false;
    this.slots[i] = undefined;
    this.blockLive[i >> BLOCK_SHIFT]--;
    const list = this.bySubject.get(m.subject)!;
    list.remove(seq);
    if (list.size === 0) this.bySubject.delete(m.subject);
    this.messages--;
    this.bytes -= m.size;
    if (erase) {
      m.data.fill(0);
      m.headers?.fill(0);
    }
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

  state(): StreamState {
    const empty = this.messages === 0;
    return {
      messages: this.messages,
      bytes: this.bytes,
      firstSeq: this.firstSeq,
      firstTime: empty ? 0n : this.slots[this.firstSeq - this.base]!.time,
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
    for (let seq = this.firstSeq; seq <= this.lastSeq; ) {
      const i = seq - this.base;
      if ((i & BLOCK_MASK) === 0 && this.blockLive[i >> BLOCK_SHIFT] === BLOCK) {
        seq += BLOCK;
        continue;
      }
      if (!this.slots[i]) out.push(seq);
      seq++;
    }
    return out;
  }

  commit(): void {}

  close(): void {}

  /** The first stored message with sequence >= `seq`, skipping empty blocks. */
  private liveFrom(seq: number): MemoryMessage | undefined {
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

  /** The last stored message with sequence <= `seq`, skipping empty blocks. */
  private liveAtOrBefore(seq: number): MemoryMessage | undefined {
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

  private countLiveFrom(seq: number): number {
    const i = seq - this.base;
    const b = i >> BLOCK_SHIFT;
    const blockEnd = Math.min((b + 1) << BLOCK_SHIFT, this.slots.length);
    let n = 0;
    for (let j = i; j < blockEnd; j++) if (this.slots[j]) n++;
    for (let k = b + 1; k < this.blockLive.length; k++) n += this.blockLive[k];
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
    this.slots = [];
    this.blockLive = [];
    this.base = this.lastSeq + 1;
    this.bySubject.clear();
    this.messages = 0;
    this.bytes = 0;
    this.firstSeq = this.lastSeq + 1;
  }

  /** Drops the dead prefix once it is at least half the array (whole blocks, so block alignment holds). */
  private compact(): void {
    if (this.messages === 0) {
      this.clear();
      return;
    }
    const dead = this.firstSeq - this.base;
    if (dead < BLOCK || dead * 2 < this.slots.length) return;
    const blocks = dead >> BLOCK_SHIFT;
    this.slots = this.slots.slice(blocks << BLOCK_SHIFT);
    this.blockLive = this.blockLive.slice(blocks);
    this.base += blocks << BLOCK_SHIFT;
  }
}

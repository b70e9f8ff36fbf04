import type { ServerResources } from "@tsnats/jetstream";
import type { BatchReader, BatchWriter } from "./codec.js";
import { Peer } from "./ops.js";

const MEM_USED = 0;
const FILE_USED = 1;
const MEM_RESERVED = 2;
const FILE_RESERVED = 3;
const FIELDS = 4;

/**
 * The server-wide JetStream limits (max_memory_store, max_file_store) seen from one shard. Accounts live
 * in different shards, and shards share nothing, so each shard keeps its own totals exactly and tells the
 * others when they change (a Peer.Usage op, at most once per batch); the server's totals are its own plus
 * the last ones heard from each peer. Between two batches a peer's figures may be a batch old: like
 * nats-server's own check (which lets the message that crosses the limit in), this bounds, not forbids,
 * an overshoot.
 */
export class ShardResources implements ServerResources {
  private readonly own = new Float64Array(FIELDS);
  private readonly sent = new Float64Array(FIELDS);
  private readonly peers: Float64Array;
  private reservationsDirty = true;

  constructor(
    private readonly index: number,
    shardCount: number,
    private readonly maxMemory: number,
    private readonly maxStore: number,
    /** Sums the max_bytes reserved by the shard's streams: [memory, file]. */
    private readonly countReserved: () => [number, number],
  ) {
    this.peers = new Float64Array(shardCount * FIELDS);
  }

  limit(memory: boolean): number {
    return memory ? this.maxMemory : this.maxStore;
  }

  used(memory: boolean): number {
    return this.total(memory ? MEM_USED : FILE_USED);
  }

  reserved(memory: boolean): number {
    this.refreshReserved();
    return this.total(memory ? MEM_RESERVED : FILE_RESERVED);
  }

  usageChanged(memory: boolean, delta: number): void {
    this.own[memory ? MEM_USED : FILE_USED] += delta;
  }

  reservationsChanged(): void {
    this.reservationsDirty = true;
  }

  /** Figures from a peer (the Peer.Usage op, after its op byte). */
  readPeer(r: BatchReader): void {
    const from = r.u32();
    for (let i = 0; i < FIELDS; i++) this.peers[from * FIELDS + i] = r.f64();
  }

  /** Tells the other shards this shard's figures, when they changed since the last time. */
  broadcast(peers: BatchWriter[]): void {
    if (peers.length <= 1) return;
    this.refreshReserved();
    let changed = false;
    for (let i = 0; i < FIELDS; i++) if (this.own[i] !== this.sent[i]) changed = true;
    if (!changed) return;
    this.sent.set(this.own);
    for (let s = 0; s < peers.length; s++) {
      if (s === this.index) continue;
      const w = peers[s];
      w.u8(Peer.Usage);
      w.u32(this.index);
      for (let i = 0; i < FIELDS; i++) w.f64(this.own[i]);
      w.count++;
    }
  }

  private refreshReserved(): void {
    if (!this.reservationsDirty) return;
    this.reservationsDirty = false;
    const [mem, file] = this.countReserved();
    this.own[MEM_RESERVED] = mem;
    this.own[FILE_RESERVED] = file;
  }

  private total(field: number): number {
    let n = this.own[field];
    for (let s = 0; s < this.peers.length / FIELDS; s++) if (s !== this.index) n += this.peers[s * FIELDS + field];
    return n;
  }
}

/**
 * One account's JetStream storage in one LMDB environment (one directory, so an account can move).
 *
 * Databases (all `keyEncoding: 'binary'`, `encoding: 'binary'`):
 *   _streams              stream name (UTF-8) -> StreamRecord as JSON (`created` as a decimal string)
 *   _state                incarnation -> the stream's counters (lmdb-state.ts)
 *   _consumers            incarnation + 0x00 + consumer name -> ConsumerRecord as JSON
 *   msgs:<incarnation>, index:<incarnation>, subjects:<incarnation>   one stream's data (lmdb-stream.ts)
 *
 * Every write (stream records, consumers, messages) is buffered and applied by `commit()` in one write
 * transaction, committed synchronously before it returns (lmdb's `transactionSync`; see COMMITTED for when
 * it reaches the disk). A stream's databases are created by the transaction that records the stream, and
 * dropped by the one that removes its record, so a crash leaves either the old or the new state. Data lives
 * under the incarnation, so a stream deleted and re-created under the same name never sees the old
 * incarnation's data; databases of an incarnation no record names (none should exist) are dropped at open.
 *
 * Memory streams (`createStream(..., true)`) are MemoryStreamStores known only to this object: nothing of
 * them reaches the disk, and they are gone after a restart.
 */
import { open, type RootDatabase } from "lmdb";
import { MemoryStreamStore } from "./memory-store.js";
import { compareNames, newIncarnation } from "./memory-account.js";
import { decodeState } from "./lmdb-state.js";
import { type BinaryDb, type LmdbStreamHost, LmdbStreamStore, type StreamDbs } from "./lmdb-stream.js";
import type { AccountStore, ConsumerRecord, StreamRecord, StreamStore } from "./types.js";

/**
 * Transaction flags (lmdb's TransactionFlags): abortable, committed before transactionSync returns, and —
 * unless `syncAlways` — without waiting for the flush to disk, which lmdb does right after in the
 * background. A committed transaction is in the OS page cache, so it survives any crash of the process
 * (SIGKILL included), which is the durability nats-server gives acknowledged messages by default (it
 * syncs to disk periodically, not per message); only an OS crash or power loss could lose the last
 * moments, and `sync()` (called periodically and at close) flushes them. `syncAlways` waits for the disk on
 * every commit instead (measured: ~450 µs per commit against ~30 µs).
 */
const ABORTABLE = 1;
const SYNCHRONOUS_COMMIT = 2;
const NO_SYNC_FLUSH = 0x10000;
const SYNCED = ABORTABLE | SYNCHRONOUS_COMMIT;
const COMMITTED = ABORTABLE | SYNCHRONOUS_COMMIT | NO_SYNC_FLUSH;

export interface LmdbAccountStoreOptions {
  /** Wait for every commit to reach the disk (fsync) before acknowledging; see COMMITTED. */
  syncAlways?: boolean;
  /**
   * How many named databases the environment can hold: 3 per file stream plus 3 (default 10_003, so
   * 3333 file streams; measured: no difference in commit cost between 3003 and 30003). It can be changed
   * at any open.
   */
  maxDbs?: number;
  /** Write through LMDB's shared memory map (default true; see the open options). */
  writemap?: boolean;
  /** Initial map size in bytes; LMDB (lmdb-js) grows the map as the data grows. */
  mapSize?: number;
  /**
   * Bounds on what a stream buffers between commits (default 100_000 operations, 64 MiB of new messages):
   * past either, the store commits early, so memory does not grow with a huge batch.
   */
  maxPendingOps?: number;
  maxPendingBytes?: number;
  /**
   * Bytes of its most recently committed messages each file stream keeps in memory, so consumers reading
   * right behind the publishers skip LMDB (default 32 MiB; 0: none). A stream nobody read or wrote between
   * two periodic syncs lets it go.
   */
  recentBytes?: number;
}

const BINARY = { keyEncoding: "binary", encoding: "binary" } as const;
const DATA_DB = /^(msgs|index|subjects):(.+)$/;
/** A key of the main database (beside the named databases) that `sync()` rewrites. */
const SYNC_MARKER = Buffer.from("_synced", "utf8");

interface Entry {
  record: StreamRecord;
  memory: boolean;
  /** The open store, if any (always set for memory streams). */
  store?: StreamStore;
  /** Consumers of a memory stream. */
  memConsumers?: Map<string, ConsumerRecord>;
}

export class LmdbAccountStore implements AccountStore, LmdbStreamHost {
  readonly path: string;
  readonly maxPendingOps: number;
  readonly maxPendingBytes: number;
  readonly recentBytes: number;
  private readonly env: RootDatabase<Buffer, Buffer>;
  private readonly streamsDb: BinaryDb;
  private readonly stateDb: BinaryDb;
  private readonly consumersDb: BinaryDb;
  private readonly entries = new Map<string, Entry>();
  /** Stream records to write (null: delete) at the next commit, by name. */
  private readonly recordWrites = new Map<string, StreamRecord | null>();
  /** Incarnations whose data the next commit drops. */
  private readonly drops = new Set<string>();
  /** Consumer records to write (null: delete) at the next commit, by incarnation then name. */
  private readonly consumerWrites = new Map<string, Map<string, ConsumerRecord | null>>();
  private readonly dirty = new Set<LmdbStreamStore>();
  private committing = false;
  /** A commit since the last flush to disk skipped the flush (not `syncAlways`). */
  private unsynced = false;
  private readonly commitFlags: number;
  private isClosed = false;

  constructor(path: string, options: LmdbAccountStoreOptions = {}) {
    this.path = path;
    this.commitFlags = options.syncAlways ? SYNCED : COMMITTED;
    this.maxPendingOps = options.maxPendingOps ?? 100_000;
    this.maxPendingBytes = options.maxPendingBytes ?? 64 << 20;
    this.recentBytes = options.recentBytes ?? 32 << 20;
    this.env = open<Buffer, Buffer>({
      path,
      // With overlapping sync lmdb waits for the previous flush in every synchronous commit (~450 µs
      // measured), whatever the flags; without it a commit that skips the flush costs ~30 µs.
      overlappingSync: false,
      // Transactions write straight into the shared memory map instead of buffering dirty pages and
      // pwrite()-ing each at the commit (measured: a commit of 20 4 KiB blocks 216 -> 79 µs; 1 KiB
      // publishing +15-20%). Crash safety is unchanged: a committed transaction is in the page cache either
      // way (it survives the process), and between the periodic syncs an OS crash is as unsafe with buffered
      // writes as with the map (LMDB's NOSYNC and MAPASYNC carry the same warning). The file is as large as
      // the map, sparse.
      useWritemap: options.writemap ?? true,
      maxDbs: options.maxDbs ?? 10_003,
      ...(options.mapSize !== undefined ? { mapSize: options.mapSize } : {}),
      ...BINARY,
    });
    this.streamsDb = this.env.openDB<Buffer, Buffer>("_streams", BINARY);
    this.stateDb = this.env.openDB<Buffer, Buffer>("_state", BINARY);
    this.consumersDb = this.env.openDB<Buffer, Buffer>("_consumers", BINARY);
    for (const { value } of this.streamsDb.getRange({})) {
      const record = decodeRecord(value);
      this.entries.set(record.name, { record, memory: false });
    }
    this.dropOrphans();
  }

  streams(): StreamRecord[] {
    this.checkOpen();
    return [...this.entries.values()].map((e) => ({ ...e.record })).sort((a, b) => compareNames(a.name, b.name));
  }

  createStream(name: string, config: string, memory: boolean): { record: StreamRecord; store: StreamStore } {
    this.checkOpen();
    if (this.entries.has(name)) throw new Error(`stream ${name} already exists`);
    const record: StreamRecord = { name, incarnation: newIncarnation(), config, created: BigInt(Date.now()) * 1_000_000n };
    let store: StreamStore;
    if (memory) {
      store = new MemoryStreamStore({ kind: "memory" });
      this.entries.set(name, { record, memory: true, store, memConsumers: new Map() });
    } else {
      store = new LmdbStreamStore(this, record.incarnation, undefined, undefined);
      this.entries.set(name, { record, memory: false, store });
      this.recordWrites.set(name, { ...record });
    }
    return { record: { ...record }, store };
  }

  openStream(record: StreamRecord): StreamStore {
    const e = this.entry(record.name);
    if (e.record.incarnation !== record.incarnation) throw new Error(`stream ${record.name}: no incarnation ${record.incarnation}`);
    if (e.store && !(e.store instanceof LmdbStreamStore && e.store.closed)) return e.store;
    const inc = e.record.incarnation;
    const dbs = this.openDbs(inc, false);
    const state = this.stateDb.getBinary(Buffer.from(inc, "utf8"));
    if (!dbs || !state) throw new Error(`stream ${record.name}: data of incarnation ${inc} not found`);
    const store = new LmdbStreamStore(this, inc, dbs, decodeState(state));
    e.store = store;
    return store;
  }

  updateStreamConfig(name: string, config: string): void {
    const e = this.entry(name);
    e.record.config = config;
    if (!e.memory) this.recordWrites.set(name, { ...e.record });
  }

  deleteStream(name: string): void {
    this.checkOpen();
    const e = this.entries.get(name);
    if (!e) return;
    this.entries.delete(name);
    if (e.memory) {
      e.store!.purge();
      return;
    }
    if (e.store instanceof LmdbStreamStore) {
      this.dirty.delete(e.store);
      e.store.detach();
    }
    const inc = e.record.incarnation;
    this.recordWrites.set(name, null);
    this.consumerWrites.delete(inc);
    this.drops.add(inc);
  }

  consumers(stream: string): ConsumerRecord[] {
    const e = this.entry(stream);
    if (e.memory) return [...e.memConsumers!.values()].map((c) => ({ ...c })).sort((a, b) => compareNames(a.name, b.name));
    const inc = e.record.incarnation;
    const found = new Map<string, ConsumerRecord>();
    const prefix = Buffer.from(inc + "\0", "utf8");
    for (const { value } of this.consumersDb.getRange({ start: prefix, end: Buffer.from(inc + "\x01", "utf8") })) {
      const c = JSON.parse(value.toString("utf8")) as ConsumerRecord;
      found.set(c.name, c);
    }
    for (const [name, c] of this.consumerWrites.get(inc) ?? []) {
      if (c) found.set(name, { ...c });
      else found.delete(name);
    }
    return [...found.values()].sort((a, b) => compareNames(a.name, b.name));
  }

  saveConsumer(stream: string, record: ConsumerRecord): void {
    const e = this.entry(stream);
    const copy = { name: record.name, config: record.config, state: record.state };
    if (e.memory) e.memConsumers!.set(record.name, copy);
    else this.consumerWritesOf(e.record.incarnation).set(record.name, copy);
  }

  deleteConsumer(stream: string, name: string): void {
    const e = this.entry(stream);
    if (e.memory) e.memConsumers!.delete(name);
    else this.consumerWritesOf(e.record.incarnation).set(name, null);
  }

  /** Applies every buffered write of the account in one transaction, synced to disk before returning. */
  commit(): void {
    this.checkOpen();
    if (this.committing) return;
    if (this.dirty.size === 0 && this.recordWrites.size === 0 && this.drops.size === 0 && this.consumerWrites.size === 0) {
      return;
    }
    const stores = [...this.dirty];
    this.committing = true;
    try {
      this.env.transactionSync(() => {
        for (const inc of this.drops) this.dropIncarnation(inc);
        for (const [name, record] of this.recordWrites) {
          if (record) this.streamsDb.put(Buffer.from(name, "utf8"), encodeRecord(record));
          else this.streamsDb.remove(Buffer.from(name, "utf8"));
        }
        for (const store of stores) store.flushInto(() => this.openDbs(store.incarnation, true)!, this.stateDb);
        for (const [inc, writes] of this.consumerWrites) {
          for (const [name, c] of writes) {
            const key = Buffer.from(`${inc}\0${name}`, "utf8");
            if (c) this.consumersDb.put(key, Buffer.from(JSON.stringify(c), "utf8"));
            else this.consumersDb.remove(key);
          }
        }
      }, this.commitFlags);
    } catch (err) {
      for (const store of stores) store.abortFlush();
      throw err;
    } finally {
      this.committing = false;
    }
    if (this.commitFlags !== SYNCED) this.unsynced = true;
    for (const store of stores) store.afterCommit();
    this.dirty.clear();
    this.recordWrites.clear();
    this.drops.clear();
    this.consumerWrites.clear();
  }

  /** Flushes everything committed so far to the disk. */
  sync(): void {
    this.checkOpen();
    this.commit();
    this.flushToDisk();
    for (const e of this.entries.values()) if (e.store instanceof LmdbStreamStore) e.store.releaseIdle();
  }

  /** Commits, syncs, closes every store and the environment. */
  close(): void {
    if (this.isClosed) return;
    this.commit();
    this.flushToDisk();
    for (const e of this.entries.values()) {
      if (e.store instanceof LmdbStreamStore) e.store.detach();
    }
    this.entries.clear();
    this.isClosed = true;
    this.env.close().catch(() => {});
  }

  /** @internal LmdbStreamHost */
  markDirty(store: LmdbStreamStore): void {
    this.dirty.add(store);
  }

  /** @internal LmdbStreamHost: a stream store is closed; what it wrote is committed. */
  storeClosed(store: LmdbStreamStore): void {
    if (this.dirty.has(store)) this.commit();
    for (const e of this.entries.values()) if (e.store === store) e.store = undefined;
  }

  private checkOpen(): void {
    if (this.isClosed) throw new Error("account store is closed");
  }

  /**
   * A synced transaction that writes a marker: LMDB commits an empty transaction without syncing anything
   * (MDB_EMPTY_TXN), so the marker is what makes this one fdatasync the file, taking every earlier
   * unsynced commit to the disk with it (checked with strace).
   */
  private flushToDisk(): void {
    if (!this.unsynced) return;
    const stamp = Buffer.allocUnsafe(8);
    stamp.writeBigInt64LE(process.hrtime.bigint());
    this.env.transactionSync(() => void this.env.put(SYNC_MARKER, stamp), SYNCED);
    this.unsynced = false;
  }

  private entry(name: string): Entry {
    this.checkOpen();
    const e = this.entries.get(name);
    if (!e) throw new Error(`stream ${name} not found`);
    return e;
  }

  private consumerWritesOf(inc: string): Map<string, ConsumerRecord | null> {
    let m = this.consumerWrites.get(inc);
    if (!m) this.consumerWrites.set(inc, (m = new Map()));
    return m;
  }

  /** Opens an incarnation's databases; with `create` false, undefined when they do not exist. */
  private openDbs(inc: string, create: boolean): StreamDbs | undefined {
    const opts = { ...BINARY, create };
    const msgs = this.env.openDB<Buffer, Buffer>(`msgs:${inc}`, opts);
    const index = this.env.openDB<Buffer, Buffer>(`index:${inc}`, opts);
    const subjects = this.env.openDB<Buffer, Buffer>(`subjects:${inc}`, opts);
    return msgs && index && subjects ? { msgs, index, subjects } : undefined;
  }

  /** Inside a write transaction: removes everything stored under an incarnation. */
  private dropIncarnation(inc: string): void {
    const existing = { ...BINARY, create: false };
    for (const kind of ["msgs", "index", "subjects"]) this.env.openDB<Buffer, Buffer>(`${kind}:${inc}`, existing)?.dropSync();
    this.stateDb.remove(Buffer.from(inc, "utf8"));
    const keys = [...this.consumersDb.getKeys({ start: Buffer.from(inc + "\0", "utf8"), end: Buffer.from(inc + "\x01", "utf8") })];
    for (const key of keys) this.consumersDb.remove(key);
  }

  /**
   * Drops data no stream record names. Commits create and drop a stream's databases with its record, so
   * there should be none; this is the safety net for anything left by an older layout or a bug.
   */
  private dropOrphans(): void {
    const live = new Set([...this.entries.values()].map((e) => e.record.incarnation));
    const orphans = new Set<string>();
    for (const key of this.env.getKeys({})) {
      const m = DATA_DB.exec(Buffer.from(key).toString("utf8").replace(/\0+$/, ""));
      if (m && !live.has(m[2])) orphans.add(m[2]);
    }
    for (const key of this.stateDb.getKeys({})) {
      const inc = Buffer.from(key).toString("utf8");
      if (!live.has(inc)) orphans.add(inc);
    }
    for (const key of this.consumersDb.getKeys({})) {
      const b = Buffer.from(key);
      const inc = b.toString("utf8", 0, Math.max(b.indexOf(0), 0));
      if (!live.has(inc)) orphans.add(inc);
    }
    if (orphans.size === 0) return;
    this.env.transactionSync(() => {
      for (const inc of orphans) this.dropIncarnation(inc);
    });
  }
}

function encodeRecord(r: StreamRecord): Buffer {
  return Buffer.from(
    JSON.stringify({ name: r.name, incarnation: r.incarnation, config: r.config, created: r.created.toString() }),
    "utf8",
  );
}

function decodeRecord(v: Buffer): StreamRecord {
  const o = JSON.parse(v.toString("utf8")) as { name: string; incarnation: string; config: string; created: string };
  return { name: o.name, incarnation: o.incarnation, config: o.config, created: BigInt(o.created) };
}

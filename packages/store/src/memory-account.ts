/**
 * An account store entirely in memory: for accounts whose JetStream storage is memory only, and for tests.
 * Streams created with `memory: false` still count bytes as file streams do, so they report what the LMDB
 * store would; nothing survives the process.
 */
import { randomBytes } from "node:crypto";
import { MemoryStreamStore } from "./memory-store.js";
import type { AccountStore, ConsumerRecord, StreamRecord, StreamStore } from "./types.js";

interface Entry {
  record: StreamRecord;
  store: MemoryStreamStore;
  consumers: Map<string, ConsumerRecord>;
}

/** A fresh incarnation id: 16 hex characters (64 random bits). */
export function newIncarnation(): string {
  return randomBytes(8).toString("hex");
}

export class MemoryAccountStore implements AccountStore {
  private readonly entries = new Map<string, Entry>();

  streams(): StreamRecord[] {
    return [...this.entries.values()].map((e) => ({ ...e.record })).sort((a, b) => compareNames(a.name, b.name));
  }

  createStream(name: string, config: string, memory: boolean): { record: StreamRecord; store: StreamStore } {
    if (this.entries.has(name)) throw new Error(`stream ${name} already exists`);
    const record: StreamRecord = { name, incarnation: newIncarnation(), config, created: BigInt(Date.now()) * 1_000_000n };
    const store = new MemoryStreamStore({ kind: memory ? "memory" : "file" });
    this.entries.set(name, { record, store, consumers: new Map() });
    return { record: { ...record }, store };
  }

  openStream(record: StreamRecord): StreamStore {
    return this.entry(record.name, record.incarnation).store;
  }

  updateStreamConfig(name: string, config: string): void {
    this.entry(name).record.config = config;
  }

  deleteStream(name: string): void {
    const e = this.entries.get(name);
    if (!e) return;
    e.store.purge();
    this.entries.delete(name);
  }

  consumers(stream: string): ConsumerRecord[] {
    return [...this.entry(stream).consumers.values()].map((c) => ({ ...c })).sort((a, b) => compareNames(a.name, b.name));
  }

  saveConsumer(stream: string, record: ConsumerRecord): void {
    this.entry(stream).consumers.set(record.name, { ...record });
  }

  deleteConsumer(stream: string, name: string): void {
    this.entry(stream).consumers.delete(name);
  }

  commit(): void {}

  sync(): void {
    // Nothing on disk.
  }

  close(): void {}

  private entry(name: string, incarnation?: string): Entry {
    const e = this.entries.get(name);
    if (!e || (incarnation !== undefined && e.record.incarnation !== incarnation)) {
      throw new Error(`stream ${name} not found`);
    }
    return e;
  }
}

/** Code-unit order, the order every account store lists streams and consumers in. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Temp directories and LMDB harnesses shared by the LMDB tests. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LmdbAccountStore, type LmdbAccountStoreOptions, type StreamStore } from "../src/index.js";
import type { StoreHarness } from "./conformance.js";

export function tempDir(): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnats-store-"));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** How a harness's `checkpoint()` moves writes: not at all, by commit, or by closing and reopening. */
export type CheckpointMode = "overlay" | "commit" | "reopen";

/** One file stream "S" in a fresh LMDB account directory. */
export function lmdbHarness(mode: CheckpointMode, options: LmdbAccountStoreOptions = {}): StoreHarness & { account(): LmdbAccountStore } {
  const tmp = tempDir();
  let account = new LmdbAccountStore(tmp.dir, options);
  let store: StreamStore = account.createStream("S", "{}", false).store;
  return {
    get store() {
      return store;
    },
    account: () => account,
    checkpoint() {
      if (mode === "commit") store.commit();
      if (mode === "reopen") {
        account.close();
        account = new LmdbAccountStore(tmp.dir, options);
        store = account.openStream(account.streams()[0]);
      }
      return store;
    },
    cleanup() {
      account.close();
      tmp.remove();
    },
  };
}

/** A seeded xorshift32 generator: rand(n) in [0, n). */
export function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

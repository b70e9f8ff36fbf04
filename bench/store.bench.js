// The JetStream stream store: appends with a commit per batch (the shard's group commit), reads by
// sequence and last-by-subject, for the memory store and the LMDB store. LMDB appends are measured with
// the default commit (an LMDB transaction committed before commit() returns, flushed to disk by sync())
// and with `syncAlways` (fdatasync in every commit: bounded by the disk's sync latency).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Bench } from "tinybench";
import { LmdbAccountStore, MemoryStreamStore } from "@tsnats/store";

const PAYLOAD = Buffer.alloc(128, 0x61);
const BATCH = 256;
const SUBJECTS = Array.from({ length: 8 }, (_, i) => `bench.subject.${i}`);
/** The read benchmarks use a stream of this many messages over READ_SUBJECTS subjects. */
const READ_MESSAGES = 100_000;
const READ_SUBJECTS = 1000;
/** Append benchmarks purge their stream past this many messages, so they measure a steady state. */
const APPEND_CAP = 200_000;

export function storeBench() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnats-store-bench-"));
  const account = new LmdbAccountStore(path.join(dir, "default"));
  const syncedAccount = new LmdbAccountStore(path.join(dir, "synced"), { syncAlways: true });
  process.once("exit", () => {
    account.close();
    syncedAccount.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let time = 0n;
  const appendBatch = (store) => {
    if (store.state().messages >= APPEND_CAP) store.purge();
    for (let i = 0; i < BATCH; i++) store.append(SUBJECTS[i & 7], undefined, PAYLOAD, time++);
    store.commit();
  };
  const memAppend = new MemoryStreamStore();
  const lmdbAppend = account.createStream("APPEND", "{}", false).store;
  const lmdbSyncedAppend = syncedAccount.createStream("APPEND", "{}", false).store;
  const emptyAfter = (store) => () => {
    store.purge();
    store.commit();
  };

  // Read targets: the same content in both stores; seqs and subjects picked by a seeded PRNG.
  const memRead = new MemoryStreamStore({ kind: "file" });
  const lmdbRead = account.createStream("READ", "{}", false).store;
  for (let i = 0; i < READ_MESSAGES; i++) {
    const subject = `read.${i % READ_SUBJECTS}`;
    memRead.append(subject, undefined, PAYLOAD, BigInt(i));
    lmdbRead.append(subject, undefined, PAYLOAD, BigInt(i));
  }
  account.commit();
  let seed = 0x5eed;
  const rand = (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const seqs = Array.from({ length: BATCH }, () => 1 + rand(READ_MESSAGES));
  const subjects = Array.from({ length: BATCH }, () => `read.${rand(READ_SUBJECTS)}`);
  let sink = 0;
  const getAll = (store) => {
    for (const seq of seqs) sink += store.get(seq).data.length;
  };
  const lastAll = (store) => {
    for (const subject of subjects) sink += store.last(subject).seq;
  };

  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench
    // Each append task empties its stream afterwards: a big heap left behind would slow the next tasks' GCs.
    .add(`append+commit ${BATCH}×128 B, memory`, () => appendBatch(memAppend), { afterAll: () => void memAppend.purge() })
    .add(`append+commit ${BATCH}×128 B, LMDB`, () => appendBatch(lmdbAppend), { afterAll: emptyAfter(lmdbAppend) })
    .add(`append+commit ${BATCH}×128 B, LMDB syncAlways (fdatasync)`, () => appendBatch(lmdbSyncedAppend), {
      afterAll: emptyAfter(lmdbSyncedAppend),
    })
    .add(`get ${BATCH} random seqs of ${READ_MESSAGES / 1000}k, memory`, () => getAll(memRead))
    .add(`get ${BATCH} random seqs of ${READ_MESSAGES / 1000}k, LMDB`, () => getAll(lmdbRead))
    .add(`last(subject) ×${BATCH}, ${READ_SUBJECTS} subjects, memory`, () => lastAll(memRead))
    .add(`last(subject) ×${BATCH}, ${READ_SUBJECTS} subjects, LMDB`, () => lastAll(lmdbRead));
  return {
    bench,
    perOp: BATCH,
    bytesPerOp: BATCH * PAYLOAD.length,
    check: () => {
      const same = (seq) => Buffer.from(memRead.get(seq).data).equals(Buffer.from(lmdbRead.get(seq).data));
      return (
        sink > 0 &&
        lmdbAppend.state().lastSeq > 0 &&
        lmdbSyncedAppend.state().lastSeq > 0 &&
        memRead.last("read.7").seq === lmdbRead.last("read.7").seq &&
        seqs.every(same)
      );
    },
  };
}

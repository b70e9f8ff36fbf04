// Micro-benchmark of JetStream publishing inside a shard: an account's JetStream on the LMDB store (and
// on memory), 256 messages published with reply subjects and committed (the shard's per-batch commit),
// PubAcks built and handed to a host that only counts them. No sockets, no threads: the shard's own cost.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Bench } from "tinybench";
import { AccountJetStream, UNLIMITED } from "@tsnats/jetstream";
import { LmdbAccountStore, MemoryAccountStore, messageSize } from "@tsnats/store";

const BATCH = 256;
const PAYLOAD = Buffer.alloc(128, 0x61);
/** Streams are purged past this many messages, so the run measures a steady state. */
const CAP = 500_000;

export function publishBench() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnats-publish-bench-"));
  let acks = 0;
  const host = {
    publish() {
      acks++;
    },
    hasInterest: () => false,
    subscribe: () => () => {},
    messageSize: (subject, headers, data, memory) => messageSize(subject, headers, data, memory ? "memory" : "file"),
  };
  const lmdbStore = new LmdbAccountStore(dir);
  process.once("exit", () => {
    lmdbStore.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const setup = (store, storage) => {
    const js = new AccountJetStream("BENCH", UNLIMITED, store, host, 0);
    const { stream } = js.createStream({ name: "S", subjects: ["s.>"], storage }, "S");
    js.commit(true);
    return () => {
      if (stream.store.storedMessages >= CAP) stream.store.purge();
      for (let i = 0; i < BATCH; i++) js.publishToStream(stream, "s.orders", "_INBOX.abc.1", undefined, PAYLOAD);
      js.commit();
    };
  };
  const bench = new Bench({ time: 1500, warmupTime: 300 });
  bench.add(`publish ${BATCH}×128 B with acks + commit, file (LMDB)`, setup(lmdbStore, "file")).add(`publish ${BATCH}×128 B with acks + commit, memory`, setup(new MemoryAccountStore(), "memory"));
  return { bench, perOp: BATCH, bytesPerOp: BATCH * PAYLOAD.length, check: () => acks > 0 };
}

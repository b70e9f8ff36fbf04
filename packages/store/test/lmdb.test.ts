import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { open } from "lmdb";
import { afterEach, describe, expect, it } from "vitest";
import { LmdbAccountStore, LmdbStreamStore, MemoryStreamStore, messageSize, type StreamStore } from "../src/index.js";
import { allMessages, defineStreamStoreConformance } from "./conformance.js";
import { lmdbHarness, tempDir } from "./helpers.js";

defineStreamStoreConformance("LmdbStreamStore (uncommitted writes)", { kind: "file", make: () => lmdbHarness("overlay") });
defineStreamStoreConformance("LmdbStreamStore (committed)", { kind: "file", make: () => lmdbHarness("commit") });
defineStreamStoreConformance("LmdbStreamStore (committed, no in-memory tail)", { kind: "file", make: () => lmdbHarness("commit", { recentBytes: 0 }) });
defineStreamStoreConformance("LmdbStreamStore (reopened from disk)", { kind: "file", make: () => lmdbHarness("reopen") });
defineStreamStoreConformance("LmdbStreamStore (early commits every few writes)", {
  kind: "file",
  make: () => lmdbHarness("overlay", { maxPendingOps: 5, maxPendingBytes: 4096 }),
});

const DIST = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const enc = (s: string): Buffer => Buffer.from(s, "utf8");

/** Everything observable about a stream, to compare before and after a reopen. */
function snapshot(s: StreamStore) {
  return { state: s.state(), messages: allMessages(s), subjects: s.subjects(), deleted: s.deleted() };
}

describe("LmdbAccountStore", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  function dir(): string {
    const t = tempDir();
    cleanups.push(t.remove);
    return t.dir;
  }
  function account(d: string, opts = {}): LmdbAccountStore {
    const a = new LmdbAccountStore(d, opts);
    cleanups.unshift(() => a.close());
    return a;
  }

  it("reopens with identical state and messages", () => {
    const d = dir();
    const a = new LmdbAccountStore(d);
    const { store } = a.createStream("ORDERS", '{"subjects":["o.>"]}', false);
    for (let i = 1; i <= 2000; i++) {
      const hdr = i % 3 === 0 ? enc(`NATS/1.0\r\nN: ${i}\r\n\r\n`) : undefined;
      store.append(`o.${i % 13}.${i % 2 ? "x" : "ü"}`, hdr, enc("p".repeat(i % 200)), 1_700_000_000_000_000_000n + BigInt(i));
      if (i % 500 === 0) a.commit();
    }
    for (let i = 3; i < 2000; i += 7) store.remove(i, i % 2 === 0);
    store.purge({ filter: "o.5.*", keep: 3 });
    store.purge({ seq: 40 });
    const before = snapshot(store);
    a.close();
    const b = account(d);
    expect(b.streams().map((r) => r.name)).toEqual(["ORDERS"]);
    const reopened = b.openStream(b.streams()[0]);
    expect(snapshot(reopened)).toEqual(before);
  });

  it("a key replaced commit after commit (KV history 1) keeps its count across commits and a reopen", () => {
    const d = dir();
    const a = new LmdbAccountStore(d);
    const { store } = a.createStream("KV", "{}", false);
    const last = new Map<string, number>();
    for (let round = 0; round < 20; round++) {
      for (let k = 0; k < 50; k++) {
        const key = `$KV.B.k${k}`;
        const prev = last.get(key);
        if (prev !== undefined && round % 5 !== 4) store.remove(prev, false); // every fifth round keeps two
        last.set(key, store.append(key, undefined, enc(`v${round}`), BigInt(round * 100 + k + 1)).seq);
      }
      a.commit();
    }
    const counts = store.subjects();
    expect(counts.size).toBe(50);
    expect([...counts.values()].reduce((x, y) => x + y, 0)).toBe(store.state().messages);
    const before = snapshot(store);
    a.close();
    const b = account(d);
    const reopened = b.openStream(b.streams()[0]);
    expect(snapshot(reopened)).toEqual(before);
    expect(reopened.subjects()).toEqual(counts);
    // Each key's messages are found through the subject index (whose chunks the replacements rewrote).
    const bySubject = (st: StreamStore, subject: string): number[] => {
      const seqs: number[] = [];
      for (let m = st.next(0, subject); m !== undefined; m = st.next(m.seq + 1, subject)) seqs.push(m.seq);
      return seqs;
    };
    for (let k = 0; k < 50; k++) {
      const key = `$KV.B.k${k}`;
      const want = before.messages.filter((m) => m.subject === key).map((m) => m.seq);
      expect(bySubject(reopened, key)).toEqual(want);
      expect(want.at(-1)).toBe(last.get(key));
    }
  });

  it("a subject's last index chunk grows commit by commit, loses messages, fills and moves on (kept in memory between commits)", () => {
    const d = dir();
    const a = new LmdbAccountStore(d, { recentBytes: 0 });
    const { store } = a.createStream("T", "{}", false);
    const want = new Map<string, number[]>([["t.a", []], ["t.b", []]]);
    const bySubject = (st: StreamStore, subject: string): number[] => {
      const seqs: number[] = [];
      for (let m = st.next(0, subject); m !== undefined; m = st.next(m.seq + 1, subject)) seqs.push(m.seq);
      return seqs;
    };
    const check = (st: StreamStore): void => {
      for (const [subject, seqs] of want) {
        expect(bySubject(st, subject)).toEqual(seqs);
        expect(st.count(0, subject)).toBe(seqs.length);
        if (seqs.length > 2) expect(st.count(seqs[seqs.length - 2], subject)).toBe(2);
      }
    };
    // 700 messages per subject, 1 to 7 per commit: the tail chunk (256 sequences) is appended to many times
    // before it fills; removals fall in the tail chunk (the newest) and in older ones.
    for (let round = 0; round < 200; round++) {
      for (const [subject, seqs] of want) {
        for (let n = 1 + (round % 7); n > 0; n--) seqs.push(store.append(subject, undefined, enc("x"), BigInt(round + 1)).seq);
      }
      if (round % 9 === 8) {
        const seqs = want.get("t.a")!;
        for (const i of [seqs.length - 1, seqs.length - 3, Math.floor(seqs.length / 2)]) store.remove(seqs.splice(i, 1)[0], false);
      }
      if (round % 23 === 22) {
        // Every message of the subject goes at once, and more come in the same commit.
        const seqs = want.get("t.b")!;
        for (const seq of seqs.splice(0)) store.remove(seq, false);
        seqs.push(store.append("t.b", undefined, enc("y"), BigInt(round + 1)).seq);
      }
      a.commit();
      if (round % 10 === 0) check(store);
    }
    check(store);
    a.close();
    const b = account(d, { recentBytes: 0 });
    const reopened = b.openStream(b.streams()[0]);
    check(reopened);
    // Appends after the reopen start from the chunk read back from the index.
    for (const [subject, seqs] of want) for (let i = 0; i < 300; i++) seqs.push(reopened.append(subject, undefined, enc("z"), 1n).seq);
    b.commit();
    check(reopened);
  });

  it("delete and re-create under the same name: only the new data, after a reopen", () => {
    const d = dir();
    let a = new LmdbAccountStore(d);
    const first = a.createStream("S", "old", false);
    first.store.append("a", undefined, enc("old-1"), 1n);
    first.store.append("a", undefined, enc("old-2"), 2n);
    a.saveConsumer("S", { name: "dur", config: "old", state: "old" });
    a.commit();
    a.deleteStream("S");
    expect(() => first.store.get(1)).toThrow();
    const second = a.createStream("S", "new", false);
    expect(second.record.incarnation).not.toBe(first.record.incarnation);
    expect(a.consumers("S")).toEqual([]);
    second.store.append("b", undefined, enc("new-1"), 3n);
    a.close();

    a = account(d);
    expect(a.streams()).toEqual([second.record]);
    const s = a.openStream(a.streams()[0]);
    expect(s.state()).toMatchObject({ messages: 1, firstSeq: 1, lastSeq: 1, numSubjects: 1 });
    expect(s.get(1)!.subject).toBe("b");
    expect(Buffer.from(s.get(1)!.data).toString()).toBe("new-1");
    expect(a.consumers("S")).toEqual([]);
    expect(() => a.openStream(first.record)).toThrow();
  });

  it("a delete committed without re-creation leaves nothing; an uncommitted one changes nothing", () => {
    const d = dir();
    const a = new LmdbAccountStore(d);
    a.createStream("GONE", "{}", false).store.append("x", undefined, enc("1"), 1n);
    const kept = a.createStream("KEPT", "{}", false);
    kept.store.append("y", undefined, enc("2"), 2n);
    a.commit();
    a.deleteStream("GONE");
    a.commit();
    a.deleteStream("KEPT"); // never committed: a crash now keeps KEPT
    // Simulate a crash: abandon `a` (nothing more is written) and open the directory again.
    const b = account(d);
    expect(b.streams().map((r) => r.name)).toEqual(["KEPT"]);
    expect(b.openStream(kept.record).get(1)!.subject).toBe("y");
    const env = open({ path: d, maxDbs: 20, keyEncoding: "binary" });
    const names = [...env.getKeys({})].map((k) => Buffer.from(k as Uint8Array).toString().replace(/\0+$/, ""));
    expect(names.filter((n) => n.includes(":")).sort()).toEqual(
      ["index", "msgs", "subjects"].map((k) => `${k}:${kept.record.incarnation}`).sort(),
    );
    void env.close();
  });

  it("uncommitted writes are not on disk; committed ones are", () => {
    const d = dir();
    const a = new LmdbAccountStore(d);
    const { store, record } = a.createStream("S", "{}", false);
    store.append("a", undefined, enc("1"), 1n);
    store.append("a", undefined, enc("2"), 2n);
    a.commit();
    store.append("a", undefined, enc("3"), 3n);
    store.remove(1);
    a.saveConsumer("S", { name: "c", config: "{}", state: "{}" });
    // Crash: the second instance sees the last commit only.
    const b = account(d);
    const s = b.openStream(record);
    expect(s.state()).toMatchObject({ messages: 2, firstSeq: 1, lastSeq: 2 });
    expect(b.consumers("S")).toEqual([]);
  });

  it("appendAt: committed gaps are on disk after a crash, uncommitted ones are not", () => {
    const d = dir();
    const a = new LmdbAccountStore(d);
    const { store, record } = a.createStream("M", "{}", false);
    store.appendAt(1000, "m.a", undefined, enc("1000"), 1n);
    store.append("m.b", undefined, enc("1001"), 2n);
    store.appendAt(50_000_000, "m.a", undefined, enc("big"), 3n);
    a.commit();
    store.appendAt(60_000_000, "m.c", undefined, enc("lost"), 4n);
    store.remove(1000);
    // Crash: a second instance sees the last commit only.
    const b = account(d);
    const s = b.openStream(record);
    expect(s.state()).toEqual({
      messages: 3,
      bytes: [["m.a", "1000"], ["m.b", "1001"], ["m.a", "big"]].reduce((n, [sub, data]) => n + messageSize(sub, undefined, enc(data), "file"), 0),
      firstSeq: 1000,
      firstTime: 1n,
      lastSeq: 50_000_000,
      lastTime: 3n,
      numDeleted: 50_000_000 - 1000 + 1 - 3,
      numSubjects: 2,
    });
    expect(allMessages(s).map((m) => m!.seq)).toEqual([1000, 1001, 50_000_000]);
    expect(s.count(1002)).toBe(1);
    expect(s.next(1002, "m.*")!.seq).toBe(50_000_000);
    expect(s.append("m.d", undefined, enc("next"), 5n).seq).toBe(50_000_001);
  });

  it("appendAt: a long gap commits what is buffered first, so a crash keeps a consistent prefix", () => {
    const d = dir();
    const a = new LmdbAccountStore(d);
    const { store, record } = a.createStream("M", "{}", false);
    a.commit();
    store.append("m", undefined, enc("1"), 1n);
    store.appendAt(3, "m", undefined, enc("3"), 3n); // short gap: stays buffered with an empty slot
    store.appendAt(1_000_000, "m", undefined, enc("far"), 4n); // long gap: 1 and 3 are committed first
    const b = account(d);
    const s = b.openStream(record);
    expect(s.state()).toMatchObject({ messages: 2, firstSeq: 1, lastSeq: 3, numDeleted: 1 });
    expect(s.deleted()).toEqual([2]);
    expect(store.state()).toMatchObject({ messages: 3, firstSeq: 1, lastSeq: 1_000_000, numDeleted: 999_997 });
  });

  it("consumer records persist per stream and go with their stream", () => {
    const d = dir();
    let a = new LmdbAccountStore(d);
    a.createStream("A", "{}", false);
    a.createStream("AB", "{}", false);
    a.saveConsumer("A", { name: "c1", config: '{"x":1}', state: '{"d":1}' });
    a.saveConsumer("A", { name: "c2", config: "{}", state: "{}" });
    a.saveConsumer("AB", { name: "c1", config: "ab", state: "ab" });
    a.commit();
    a.saveConsumer("A", { name: "c1", config: '{"x":1}', state: '{"d":2}' });
    a.deleteConsumer("A", "c2");
    expect(a.consumers("A")).toEqual([{ name: "c1", config: '{"x":1}', state: '{"d":2}' }]);
    a.close();

    a = new LmdbAccountStore(d);
    expect(a.consumers("A")).toEqual([{ name: "c1", config: '{"x":1}', state: '{"d":2}' }]);
    expect(a.consumers("AB")).toEqual([{ name: "c1", config: "ab", state: "ab" }]);
    a.deleteStream("A");
    expect(() => a.consumers("A")).toThrow();
    a.createStream("A", "{}", false);
    expect(a.consumers("A")).toEqual([]);
    a.close();

    a = account(d);
    expect(a.consumers("A")).toEqual([]);
    expect(a.consumers("AB")).toEqual([{ name: "c1", config: "ab", state: "ab" }]);
  });

  it("stream config updates persist; memory streams are never written", () => {
    const d = dir();
    let a = new LmdbAccountStore(d);
    a.createStream("F", '{"v":1}', false);
    const mem = a.createStream("M", "{}", true);
    expect(mem.store).toBeInstanceOf(MemoryStreamStore);
    mem.store.append("m", undefined, enc("1"), 1n);
    expect(mem.store.state().bytes).toBe(messageSize("m", undefined, enc("1"), "memory"));
    a.saveConsumer("M", { name: "mc", config: "{}", state: "{}" });
    expect(a.consumers("M").map((c) => c.name)).toEqual(["mc"]);
    expect(a.openStream(mem.record)).toBe(mem.store);
    expect(a.streams().map((r) => r.name)).toEqual(["F", "M"]);
    a.updateStreamConfig("F", '{"v":2}');
    a.close();
    a = account(d);
    expect(a.streams().map((r) => [r.name, r.config])).toEqual([["F", '{"v":2}']]);
  });

  it("drops data no stream record names (orphans) at open", () => {
    const d = dir();
    const a = new LmdbAccountStore(d);
    const live = a.createStream("LIVE", "{}", false);
    live.store.append("x", undefined, enc("1"), 1n);
    a.close();
    // Leave behind what a bug or an older layout could: an incarnation's DBs, state and consumers, no record.
    const env = open({ path: d, maxDbs: 20, keyEncoding: "binary", encoding: "binary" });
    env.transactionSync(() => {
      const m = env.openDB("msgs:deadbeef", { keyEncoding: "binary", encoding: "binary" });
      m.put(Buffer.alloc(8, 1), Buffer.from("zombie"));
      env.openDB("_state", { keyEncoding: "binary", encoding: "binary" }).put(Buffer.from("deadbeef"), Buffer.alloc(40));
      env.openDB("_consumers", { keyEncoding: "binary", encoding: "binary" }).put(Buffer.from("deadbeef\0c"), Buffer.from("{}"));
    });
    void env.close();

    const b = account(d);
    expect(b.streams().map((r) => r.name)).toEqual(["LIVE"]);
    expect(b.openStream(live.record).state().messages).toBe(1);
    b.close();
    const check = open({ path: d, maxDbs: 20, keyEncoding: "binary", encoding: "binary" });
    const names = [...check.getKeys({})].map((k) => Buffer.from(k as Uint8Array).toString().replace(/\0+$/, ""));
    expect(names.some((n) => n.includes("deadbeef"))).toBe(false);
    const state = check.openDB("_state", { keyEncoding: "binary", encoding: "binary" });
    expect(state.getBinary(Buffer.from("deadbeef"))).toBeUndefined();
    const consumers = check.openDB("_consumers", { keyEncoding: "binary", encoding: "binary" });
    expect([...consumers.getKeys({})].length).toBe(0);
    void check.close();
  });

  it("commits early when a batch grows past its bounds, without changing what reads see", () => {
    const d = dir();
    const a = account(d, { maxPendingBytes: 1 << 20 });
    const { store } = a.createStream("BIG", "{}", false);
    const payload = Buffer.alloc(300_000, 7);
    for (let i = 1; i <= 20; i++) store.append(`big.${i % 2}`, undefined, payload, BigInt(i));
    expect(store.state()).toMatchObject({ messages: 20, lastSeq: 20 });
    expect(store.purge({ filter: "big.1", keep: 2 })).toBe(8);
    expect(store.count(0, "big.1")).toBe(2);
    expect(Buffer.from(store.get(20)!.data).equals(payload)).toBe(true);
  });

  it("opens from a worker thread", async () => {
    const d = dir();
    const code = `
      import { workerData, parentPort } from "node:worker_threads";
      const { LmdbAccountStore } = await import(workerData.dist);
      const a = new LmdbAccountStore(workerData.dir);
      const { store } = a.createStream("W", "{}", false);
      for (let i = 0; i < 100; i++) store.append("w." + (i % 3), undefined, Buffer.from("from worker " + i), BigInt(i));
      a.saveConsumer("W", { name: "c", config: "{}", state: "{}" });
      a.close();
      parentPort.postMessage("done");
    `;
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {
      workerData: { dist: new URL(`file://${DIST}`).href, dir: d },
    });
    const msg = await new Promise((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
    });
    expect(msg).toBe("done");
    await w.terminate();
    const a = account(d);
    const s = a.openStream(a.streams()[0]);
    expect(s.state()).toMatchObject({ messages: 100, numSubjects: 3 });
    expect(Buffer.from(s.last("w.0")!.data).toString()).toBe("from worker 99");
    expect(a.consumers("W").length).toBe(1);
  });

  it("survives SIGKILL: every acknowledged (committed) message is there, in order", async () => {
    expect(fs.existsSync(DIST), "build the package first (tsc -b)").toBe(true);
    const d = dir();
    const script = path.join(d, "..", `${path.basename(d)}-writer.mjs`);
    cleanups.push(() => fs.rmSync(script, { force: true }));
    fs.writeFileSync(
      script,
      `
      import { LmdbAccountStore } from ${JSON.stringify(new URL(`file://${DIST}`).href)};
      const a = new LmdbAccountStore(process.argv[2]);
      const existing = a.streams().find((r) => r.name === "C");
      const store = existing ? a.openStream(existing) : a.createStream("C", "{}", false).store;
      a.commit();
      let seq = store.state().lastSeq;
      process.stdout.write("ready " + seq + "\\n");
      for (;;) {
        const n = 1 + Math.floor(Math.random() * 64);
        for (let k = 0; k < n; k++) {
          seq++;
          store.append("c." + (seq % 7), undefined, Buffer.from("payload-" + seq + "-" + "x".repeat(seq % 300)), BigInt(seq));
        }
        a.commit();
        process.stdout.write(seq + "\\n");
      }
      `,
    );
    let previous = 0;
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, [script, d], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      let ready: () => void;
      const isReady = new Promise<void>((r) => (ready = r));
      child.stdout.on("data", (b: Buffer) => {
        out += b.toString();
        if (out.includes("\n")) ready();
      });
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      await Promise.race([isReady, exited]);
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 250));
      child.kill("SIGKILL");
      await exited;

      const lines = out.split("\n");
      lines.pop(); // a partial last line was not acknowledged
      expect(lines[0]).toBe(`ready ${previous}`);
      const acked = lines.slice(1).map(Number);
      expect(acked.length).toBeGreaterThan(0);
      const lastAcked = acked.at(-1)!;
      if (process.env.STORE_STATS) console.log(`round ${round}: ${acked.length} commits acknowledged, last seq ${lastAcked}`);

      const a = new LmdbAccountStore(d);
      const s = a.openStream(a.streams()[0]);
      const st = s.state();
      expect(st.lastSeq).toBeGreaterThanOrEqual(lastAcked);
      expect(st.messages).toBe(st.lastSeq);
      expect(st.firstSeq).toBe(1);
      let seq = 0;
      const wrong: number[] = [];
      for (let m = s.next(0); m; m = s.next(m.seq + 1)) {
        seq++;
        const ok =
          m.seq === seq &&
          m.subject === `c.${seq % 7}` &&
          Buffer.from(m.data).toString() === `payload-${seq}-${"x".repeat(seq % 300)}` &&
          m.time === BigInt(seq);
        if (!ok) wrong.push(m.seq);
      }
      expect(wrong).toEqual([]);
      expect(seq).toBe(st.lastSeq);
      let perSubject = 0;
      for (const [subject, n] of s.subjects()) {
        expect(s.count(0, subject)).toBe(n);
        perSubject += n;
      }
      expect(perSubject).toBe(st.messages);
      expect(st.numSubjects).toBe(Math.min(7, st.messages));
      previous = st.lastSeq;
      a.close();
    }
  }, 30_000);

  it("survives SIGKILL while streams are deleted and re-created: exactly one incarnation, never mixed", async () => {
    const d = dir();
    const script = path.join(d, "..", `${path.basename(d)}-recreate.mjs`);
    cleanups.push(() => fs.rmSync(script, { force: true }));
    fs.writeFileSync(
      script,
      `
      import { LmdbAccountStore } from ${JSON.stringify(new URL(`file://${DIST}`).href)};
      const a = new LmdbAccountStore(process.argv[2]);
      process.stdout.write("ready\\n");
      for (let gen = 1; ; gen++) {
        if (a.streams().some((r) => r.name === "D")) a.deleteStream("D");
        const { store } = a.createStream("D", JSON.stringify({ gen }), false);
        const n = 1 + (gen * 7) % 50;
        for (let i = 1; i <= n; i++) store.append("d." + (i % 3), undefined, Buffer.from("gen-" + gen + "-" + i), BigInt(i));
        a.saveConsumer("D", { name: "c", config: "{}", state: String(gen) });
        if (gen % 2 === 0) store.remove(1);
        a.commit();
        process.stdout.write(gen + "\\n");
      }
      `,
    );
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, [script, d], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      const started = new Promise<void>((r) => child.stdout.on("data", (b: Buffer) => ((out += b.toString()), out.includes("\n") && r())));
      await Promise.race([started, exited]);
      await new Promise((r) => setTimeout(r, 30 + Math.random() * 200));
      child.kill("SIGKILL");
      await exited;
      const acked = out.split("\n").slice(1, -1).map(Number);
      expect(acked.length).toBeGreaterThan(0);
      const lastAcked = acked.at(-1)!;

      const a = new LmdbAccountStore(d);
      const records = a.streams();
      expect(records.map((r) => r.name)).toEqual(["D"]);
      const gen = (JSON.parse(records[0].config) as { gen: number }).gen;
      expect(gen).toBeGreaterThanOrEqual(lastAcked);
      const s = a.openStream(records[0]);
      const n = 1 + ((gen * 7) % 50);
      const msgs = allMessages(s);
      const expectedSeqs = Array.from({ length: n }, (_, i) => i + 1).filter((seq) => !(gen % 2 === 0 && seq === 1));
      expect(msgs.map((m) => m!.seq)).toEqual(expectedSeqs);
      for (const m of msgs) expect(Buffer.from(m!.data, "hex").toString()).toBe(`gen-${gen}-${m!.seq}`);
      expect(s.state()).toMatchObject({ messages: expectedSeqs.length, lastSeq: n });
      expect(a.consumers("D")).toEqual([{ name: "c", config: "{}", state: String(gen) }]);
      a.close();
      // One incarnation's databases, nothing else.
      const env = open({ path: d, maxDbs: 20, keyEncoding: "binary" });
      const names = [...env.getKeys({})].map((k) => Buffer.from(k as Uint8Array).toString().replace(/\0+$/, ""));
      expect(names.filter((x) => x.includes(":")).sort()).toEqual(["index", "msgs", "subjects"].map((k) => `${k}:${records[0].incarnation}`));
      await env.close();
    }
  }, 30_000);

  it("survives SIGKILL while mirroring with gaps (appendAt): every acknowledged message, at its sequence", async () => {
    expect(fs.existsSync(DIST), "build the package first (tsc -b)").toBe(true);
    const d = dir();
    const script = path.join(d, "..", `${path.basename(d)}-mirror.mjs`);
    cleanups.push(() => fs.rmSync(script, { force: true }));
    // The origin's sequences after `seq`: mostly contiguous, some short gaps, some past the overlay's limit.
    const gapAfter = "(seq) => (seq % 5 !== 0 ? 0 : seq % 3 === 0 ? 5000 + (seq % 977) : 1 + (seq % 50))";
    fs.writeFileSync(
      script,
      `
      import { LmdbAccountStore } from ${JSON.stringify(new URL(`file://${DIST}`).href)};
      const gapAfter = ${gapAfter};
      const a = new LmdbAccountStore(process.argv[2]);
      const existing = a.streams().find((r) => r.name === "MIRROR");
      const store = existing ? a.openStream(existing) : a.createStream("MIRROR", "{}", false).store;
      a.commit();
      let seq = store.state().lastSeq;
      process.stdout.write("ready " + seq + "\\n");
      for (;;) {
        const n = 1 + Math.floor(Math.random() * 64);
        for (let k = 0; k < n; k++) {
          seq = seq === 0 ? 1000 : seq + 1 + gapAfter(seq);
          store.appendAt(seq, "o." + (seq % 7), undefined, Buffer.from("origin-" + seq), BigInt(seq));
        }
        a.commit();
        process.stdout.write(seq + "\\n");
      }
      `,
    );
    const next = new Function(`return ${gapAfter}`)() as (seq: number) => number;
    let previous = 0;
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, [script, d], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      const started = new Promise<void>((r) => child.stdout.on("data", (b: Buffer) => ((out += b.toString()), out.includes("\n") && r())));
      await Promise.race([started, exited]);
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
      child.kill("SIGKILL");
      await exited;
      const lines = out.split("\n").slice(0, -1); // a partial last line was not acknowledged
      expect(lines[0]).toBe(`ready ${previous}`);
      const acked = lines.slice(1).map(Number);
      expect(acked.length).toBeGreaterThan(0);

      const a = new LmdbAccountStore(d);
      const s = a.openStream(a.streams()[0]);
      const st = s.state();
      expect(st.lastSeq).toBeGreaterThanOrEqual(acked.at(-1)!);
      const wrong: number[] = [];
      let expected = 1000;
      let count = 0;
      for (let m = s.next(0); m; m = s.next(m.seq + 1)) {
        if (m.seq !== expected || m.subject !== `o.${m.seq % 7}` || Buffer.from(m.data).toString() !== `origin-${m.seq}` || m.time !== BigInt(m.seq)) {
          wrong.push(m.seq);
        }
        count++;
        expected = m.seq + 1 + next(m.seq);
      }
      expect(wrong).toEqual([]);
      expect(st).toMatchObject({ messages: count, firstSeq: 1000, numDeleted: st.lastSeq - 1000 + 1 - count });
      expect(s.last(">")!.seq).toBe(st.lastSeq);
      expect([...s.subjects().values()].reduce((x, y) => x + y, 0)).toBe(count);
      previous = st.lastSeq;
      a.close();
    }
  }, 30_000);

  it("sync() runs a transaction that writes (an empty one would not reach the disk)", () => {
    const d = dir();
    const a = new LmdbAccountStore(d);
    a.createStream("S", "{}", false).store.append("a", undefined, enc("1"), 1n);
    a.commit();
    a.sync();
    a.close();
    const env = open({ path: d, maxDbs: 20, keyEncoding: "binary", encoding: "binary" });
    expect(env.getBinary(Buffer.from("_synced"))?.length).toBe(8);
    void env.close();
  });

  it("is an LmdbStreamStore for file streams", () => {
    const a = account(dir());
    expect(a.createStream("X", "{}", false).store).toBeInstanceOf(LmdbStreamStore);
    expect(() => a.createStream("X", "{}", false)).toThrow();
  });
});

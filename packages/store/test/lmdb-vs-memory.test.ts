/**
 * Randomized differential test: the LMDB store and the memory store (counting file sizes) get the same
 * operations (appends, appends at a later sequence skipping short to huge gaps, removals, erasures, purges of
 * every kind) with commits, early commits and reopenings in between on the LMDB side; after every step their state must be equal, and often everything else too.
 */
import { describe, expect, it } from "vitest";
import { LmdbAccountStore, MemoryStreamStore, type PurgeOptions, type StreamStore } from "../src/index.js";
import { allMessages } from "./conformance.js";
import { rng, tempDir } from "./helpers.js";


interface Scenario {
  seed: number;
  steps: number;
  subjects: string[];
  maxPendingOps?: number;
  /**
   * Some appends are `appendAt` past a gap (as a mirror skips the origin's missing sequences): up to a few
   * thousand sequences, or also (rarely) millions.
   */
  gaps?: "short" | "huge";
  /** The LMDB store's in-memory tail (0: every read of a committed message goes to its block in LMDB). */
  recentBytes?: number;
}

const FEW = ["a.1", "a.2", "b.1", "b.2.x", "c", "ünï.1"];
const MANY = Array.from({ length: 90 }, (_, i) => `m.${i % 9}.${i}`);

/** deleted() lists every skipped sequence: compared only while there are not too many. */
const MAX_LISTED_DELETED = 1_000_000;

/** toEqual, with a plain loop first: deep equality on 100k-element arrays is slow, and they nearly always match. */
function expectSameNumbers(a: number[], b: number[], what: string): void {
  if (a.length === b.length && a.every((x, i) => x === b[i])) return;
  expect(a, what).toEqual(b);
}

function run({ seed, steps, subjects, maxPendingOps, gaps, recentBytes }: Scenario): void {
  const rand = rng(seed);
  const tmp = tempDir();
  const opts = { ...(maxPendingOps ? { maxPendingOps } : {}), ...(recentBytes !== undefined ? { recentBytes } : {}) };
  let account = new LmdbAccountStore(tmp.dir, opts);
  let lmdb: StreamStore = account.createStream("R", "{}", false).store;
  const mem = new MemoryStreamStore({ kind: "file" });
  const filters = (): string => {
    const r = rand(6);
    if (r === 0) return subjects[rand(subjects.length)];
    if (r === 1) return ">";
    if (r === 2) return "a.*";
    if (r === 3) return "*.1";
    if (r === 4) return subjects === MANY ? `m.${rand(9)}.*` : "b.>";
    return "nomatch.x";
  };
  try {
    for (let step = 0; step < steps; step++) {
      const op = rand(100);
      const last = mem.state().lastSeq;
      // Near the end half of the time, anywhere (including just outside the stream) otherwise.
      const target = rand(2) === 0 ? Math.max(0, last - rand(Math.max(1, Math.min(last, 80)))) : rand(last + 2);
      let what: string;
      if (op < 55) {
        const n = 1 + rand(8);
        for (let k = 0; k < n; k++) {
          const subject = subjects[rand(subjects.length)];
          const hdr = rand(4) === 0 ? Buffer.from(`NATS/1.0\r\nK: ${step}\r\n\r\n`) : undefined;
          const data = Buffer.alloc(rand(3) === 0 ? 0 : rand(400), 65 + (step % 26));
          const time = BigInt(step * 10 + k);
          if (gaps && rand(4) === 0) {
            // Within a block, past a memory run's fill limit, past the LMDB overlay's, or (rarely) millions.
            const kind = rand(16);
            const huge = gaps === "huge" && kind === 0;
            const gap = huge ? 1_000_000 + rand(10_000_000) : [1 + rand(3), rand(2000), 4000 + rand(3000)][kind % 3];
            const seq = mem.state().lastSeq + 1 + gap;
            expect(lmdb.appendAt(seq, subject, hdr, data, time).seq).toBe(seq);
            expect(mem.appendAt(seq, subject, hdr, data, time).seq).toBe(seq);
            continue;
          }
          const a = lmdb.append(subject, hdr, data, time);
          const b = mem.append(subject, hdr, data, time);
          expect(a.seq).toBe(b.seq);
        }
        what = `append ${n}`;
      } else if (op < 72) {
        const erase = rand(2) === 0;
        what = `remove ${target} ${erase}`;
        expect(lmdb.remove(target, erase), what).toBe(mem.remove(target, erase));
      } else if (op < 76) {
        const p: PurgeOptions = {};
        const kind = rand(6);
        if (kind === 0) p.filter = filters();
        if (kind === 1) p.seq = target;
        if (kind === 2) p.keep = rand(300);
        if (kind === 3) Object.assign(p, { filter: filters(), keep: rand(40) });
        if (kind === 4) Object.assign(p, { filter: filters(), seq: target });
        if (kind === 5 && rand(4) !== 0) Object.assign(p, { filter: filters() });
        what = `purge ${JSON.stringify(p)}`;
        expect(lmdb.purge(p), what).toBe(mem.purge(p));
      } else if (op < 90) {
        what = "commit";
        lmdb.commit();
      } else if (op < 94) {
        what = "reopen";
        account.close();
        account = new LmdbAccountStore(tmp.dir, opts);
        lmdb = account.openStream(account.streams()[0]);
      } else {
        what = "reads";
        const f = filters();
        const from = rand(last + 3);
        expect(lmdb.next(from, f)?.seq, `next ${from} ${f}`).toBe(mem.next(from, f)?.seq);
        expect(lmdb.last(f)?.seq, `last ${f}`).toBe(mem.last(f)?.seq);
        expect(lmdb.count(from, f), `count ${from} ${f}`).toBe(mem.count(from, f));
        expect(lmdb.get(from)?.subject, `get ${from}`).toBe(mem.get(from)?.subject);
      }
      expect(lmdb.state(), `step ${step}: ${what}`).toEqual(mem.state());
      const probe = rand(mem.state().lastSeq + 2);
      expect(lmdb.count(probe), `step ${step}: count ${probe}`).toBe(mem.count(probe));
      expect(lmdb.next(probe)?.seq, `step ${step}: next ${probe}`).toBe(mem.next(probe)?.seq);
      if (step % 25 === 0 || step === steps - 1) {
        expect(allMessages(lmdb), `messages after step ${step}`).toEqual(allMessages(mem));
        expect(lmdb.subjects(), `subjects after step ${step}`).toEqual(mem.subjects());
        if (mem.state().numDeleted <= MAX_LISTED_DELETED) expectSameNumbers(lmdb.deleted(), mem.deleted(), `deleted after step ${step}`);
        for (const f of [">", "a.*", subjects[0], "*.1"]) expect(lmdb.subjects(f)).toEqual(mem.subjects(f));
      }
    }
    account.close();
    account = new LmdbAccountStore(tmp.dir, opts);
    lmdb = account.openStream(account.streams()[0]);
    expect(lmdb.state()).toEqual(mem.state());
    expect(allMessages(lmdb)).toEqual(allMessages(mem));
    if (process.env.STORE_STATS) console.log(seed, mem.state());
  } finally {
    account.close();
    tmp.remove();
  }
}

describe("LMDB store vs memory store, op for op", () => {
  it("few subjects (index paths)", () => run({ seed: 1, steps: 1200, subjects: FEW }));
  it("few subjects, another seed", () => run({ seed: 977, steps: 1200, subjects: FEW }));
  it("many subjects (wildcard scans)", () => run({ seed: 4242, steps: 1200, subjects: MANY }));
  it("early commits every few operations", () => run({ seed: 31337, steps: 1000, subjects: FEW, maxPendingOps: 7 }));
  it("early commits, many subjects", () => run({ seed: 8, steps: 1000, subjects: MANY, maxPendingOps: 3 }));
  it("appends at later sequences (gaps), few subjects", () => run({ seed: 2024, steps: 1200, subjects: FEW, gaps: "short" }));
  it("appends at later sequences (gaps), many subjects", () => run({ seed: 515, steps: 1200, subjects: MANY, gaps: "short" }));
  it("appends at later sequences (gaps), early commits", () => run({ seed: 99, steps: 1000, subjects: FEW, gaps: "short", maxPendingOps: 7 }));
  it("appends at later sequences (huge gaps too)", () => run({ seed: 7, steps: 1200, subjects: FEW, gaps: "huge" }));
  it("no in-memory tail: reads from the blocks, few subjects", () => run({ seed: 61, steps: 1500, subjects: FEW, recentBytes: 0 }));
  it("no in-memory tail: reads from the blocks, many subjects", () => run({ seed: 62, steps: 1500, subjects: MANY, recentBytes: 0 }));
  it("no in-memory tail: reads from the blocks, gaps and early commits", () => run({ seed: 63, steps: 1500, subjects: FEW, gaps: "short", maxPendingOps: 7, recentBytes: 0 }));
});

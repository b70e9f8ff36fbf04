/**
 * Message blocks (lmdb-blocks.ts) against a plain model: random appends (blocks of every size, values up to
 * past the block limit), removals and erasures rewriting blocks (or splitting them into single messages), and every read (point, both directions,
 * counts, first) in between; plus values stored one per key, as before blocks, read alongside blocks.
 */
import { open, type RootDatabase } from "lmdb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BLOCK_MAX_BYTES, BlockLog, type BlockValue } from "../src/lmdb-blocks.js";
import { seqKey } from "../src/lmdb-codec.js";
import { rng, tempDir } from "./helpers.js";


/** A stored value: a 16-byte head like a message's (time 1, never the block marker), then the sequence. */
function value(seq: number, size: number): Buffer {
  const b = Buffer.alloc(Math.max(size, 24), seq % 251);
  b.writeBigInt64LE(1n, 0);
  b.writeUInt32LE(seq, 16);
  return b;
}

/**
 * The values as a commit hands them over: each in a buffer of its own, or (as a MessageArena holds them)
 * packed into shared buffers, side by side or with a few bytes between some of them.
 */
function blockValues(seqs: number[], raws: Buffer[], rand: (n: number) => number): BlockValue[] {
  if (rand(3) === 0) return seqs.map((seq, i) => ({ seq, buf: raws[i], start: 0, end: raws[i].length }));
  const out: BlockValue[] = [];
  let i = 0;
  while (i < seqs.length) {
    const n = 1 + rand(seqs.length - i);
    const gaps = raws.slice(i, i + n).map(() => (rand(4) === 0 ? 1 + rand(9) : 0));
    const size = raws.slice(i, i + n).reduce((t, r, k) => t + r.length + gaps[k], 0);
    const slack = rand(50);
    const buf = Buffer.alloc(size + slack, 0xee);
    let at = rand(slack + 1);
    for (let k = 0; k < n; k++, i++) {
      at += gaps[k];
      raws[i].copy(buf, at);
      out.push({ seq: seqs[i], buf, start: at, end: at + raws[i].length });
      at += raws[i].length;
    }
  }
  return out;
}

const alone = (seqs: number[], raws: Buffer[]): BlockValue[] => seqs.map((seq, i) => ({ seq, buf: raws[i], start: 0, end: raws[i].length }));

describe("message blocks", () => {
  let tmp: ReturnType<typeof tempDir>;
  let env: RootDatabase;
  beforeEach(() => {
    tmp = tempDir();
    env = open({ path: tmp.dir, noSync: true, maxDbs: 4 });
  });
  afterEach(async () => {
    await env.close();
    tmp.remove();
  });

  it("read like the messages they hold, through appends, removals and erasures", () => {
    const db = env.openDB<Buffer, Buffer>("m", { encoding: "binary", keyEncoding: "binary" });
    const log = new BlockLog(db);
    const rand = rng(5);
    const model = new Map<number, Buffer>();
    let last = 0;
    for (let step = 0; step < 400; step++) {
      const op = rand(10);
      if (op < 5) {
        // A commit's appends: one to a few hundred, small to larger than a block, after gaps sometimes.
        const n = [1, 2, 7, 60, 300][rand(5)];
        const seqs: number[] = [];
        const raws: Buffer[] = [];
        for (let i = 0; i < n; i++) {
          last += rand(8) === 0 ? 2 + rand(5) : 1;
          const v = value(last, rand(20) === 0 ? BLOCK_MAX_BYTES + 100 : 16 + rand(400));
          seqs.push(last);
          raws.push(v);
          model.set(last, Buffer.from(v));
        }
        const values = blockValues(seqs, raws, rand);
        env.transactionSync(() => log.append(values, rand(4) === 0 ? 1 : undefined));
      } else if (op < 8 && model.size > 0) {
        // Removals: scattered, a run, or sequences never stored; some erased.
        const keys = [...model.keys()];
        const picks = new Set<number>();
        const n = 1 + rand(rand(4) === 0 ? 200 : 10);
        const at = rand(keys.length);
        for (let i = 0; i < n; i++) picks.add(rand(3) === 0 ? keys[rand(keys.length)] : rand(5) === 0 ? rand(last + 3) : keys[(at + i) % keys.length]);
        const seqs = [...picks].sort((a, b) => a - b);
        const erased = new Set(seqs.filter(() => rand(3) === 0));
        const explode = rand(3) === 0; // what the blocks keep written one per key, as for scattered removals
        env.transactionSync(() => log.remove(seqs, (s) => erased.has(s), explode));
        for (const s of seqs) model.delete(s);
      }
      const stored = [...model.keys()].sort((a, b) => a - b);
      const probe = rand(last + 3);
      // Buffers compared with equals: toEqual walks them element by element.
      const got = log.get(probe);
      const want = model.get(probe);
      expect(got === undefined ? undefined : want !== undefined && got.equals(want), `get ${probe} at step ${step}`).toBe(want === undefined ? undefined : true);
      expect(log.first()).toBe(stored[0]);
      const lo = rand(last + 2);
      const hi = lo + rand(600);
      const inRange = stored.filter((s) => s >= lo && s <= hi);
      expect([...log.entries(lo, hi)].map(([s]) => s), `entries ${lo}..${hi}`).toEqual(inRange);
      expect([...log.entriesDesc(hi, lo)].map(([s]) => s), `entriesDesc ${hi}..${lo}`).toEqual([...inRange].reverse());
      expect(log.count(lo, hi), `count ${lo}..${hi}`).toBe(inRange.length);
      if (step % 50 === 0) {
        for (const [s, v] of log.entries(0, last)) expect(v.equals(model.get(s)!), `value ${s}`).toBe(true);
      }
    }
  });

  it("an erased message's block is rewritten without it, its neighbours intact", () => {
    const db = env.openDB<Buffer, Buffer>("e", { encoding: "binary", keyEncoding: "binary" });
    const log = new BlockLog(db);
    env.transactionSync(() => log.append(alone([1, 2, 3], [value(1, 40), value(2, 40), value(3, 40)])));
    expect(log.get(2)!.equals(value(2, 40))).toBe(true);
    env.transactionSync(() => log.remove([2], () => true));
    expect(log.get(2)).toBeUndefined();
    expect(log.get(1)!.equals(value(1, 40))).toBe(true);
    expect(log.get(3)!.equals(value(3, 40))).toBe(true);
    expect(db.getBinary(seqKey(1))!.includes(value(2, 40).subarray(16))).toBe(false);
  });

  it("values stored one per key (the layout before blocks) read as blocks of one", () => {
    const db = env.openDB<Buffer, Buffer>("o", { encoding: "binary", keyEncoding: "binary" });
    env.transactionSync(() => {
      for (const s of [1, 2, 5]) db.put(seqKey(s), value(s, 30));
    });
    const log = new BlockLog(db);
    env.transactionSync(() => log.append(alone([6, 7, 8], [value(6, 30), value(7, 30), value(8, 30)])));
    expect([...log.entries(0, 10)].map(([s]) => s)).toEqual([1, 2, 5, 6, 7, 8]);
    expect([...log.entriesDesc(10, 0)].map(([s]) => s)).toEqual([8, 7, 6, 5, 2, 1]);
    expect(log.count(2, 7)).toBe(4);
    expect(log.get(5)).toEqual(value(5, 30));
    env.transactionSync(() => log.remove([2, 7], () => false));
    expect([...log.entries(0, 10)].map(([s]) => s)).toEqual([1, 5, 6, 8]);
    expect(log.first()).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import { RecentMessages } from "../src/recent-messages.js";

const raw = (seq: number, size = 100): Buffer => Buffer.alloc(size, seq % 251);
const MiB = 1 << 20;
/** Buffers compared with equals: toEqual walks them element by element (seconds for a few MiB). */
const same = (got: Buffer | undefined, want: Buffer): boolean => got !== undefined && got.equals(want);

describe("RecentMessages (a file stream's in-memory tail)", () => {
  it("gives back what was added, by sequence, and nothing else", () => {
    const r = new RecentMessages(32 * MiB);
    for (let s = 10; s < 20; s++) r.add(s, raw(s));
    for (let s = 10; s < 20; s++) expect(same(r.get(s), raw(s))).toBe(true);
    expect(r.get(9)).toBeUndefined();
    expect(r.get(20)).toBeUndefined();
    expect(r.get(10.5)).toBeUndefined();
  });

  it("keeps short gaps as empty slots and starts anew after a long gap or a step back", () => {
    const r = new RecentMessages(32 * MiB);
    r.add(1, raw(1));
    r.add(5, raw(5));
    expect(same(r.get(1), raw(1))).toBe(true);
    expect(r.get(3)).toBeUndefined();
    expect(same(r.get(5), raw(5))).toBe(true);
    r.add(100_000, raw(100_000));
    expect(r.get(1)).toBeUndefined();
    expect(same(r.get(100_000), raw(100_000))).toBe(true);
    r.add(7, raw(7));
    expect(r.get(100_000)).toBeUndefined();
    expect(same(r.get(7), raw(7))).toBe(true);
  });

  it("forgets a removed message, and zeroes its bytes when asked to erase", () => {
    const r = new RecentMessages(32 * MiB);
    for (let s = 1; s <= 3; s++) r.add(s, raw(s));
    const view = r.get(2)!;
    r.drop(2, true);
    expect(r.get(2)).toBeUndefined();
    expect(view.every((b) => b === 0)).toBe(true);
    r.drop(3, false);
    expect(r.get(3)).toBeUndefined();
    expect(same(r.get(1), raw(1))).toBe(true);
  });

  it("stays within its budget by dropping the oldest chunk; views handed out stay valid", () => {
    const r = new RecentMessages(3 * MiB);
    const size = 1000;
    const early = (() => {
      r.add(1, raw(1, size));
      return r.get(1)!;
    })();
    const n = 10_000; // ~10 MB
    for (let s = 2; s <= n; s++) r.add(s, raw(s, size));
    expect(r.bytes).toBeLessThanOrEqual(3 * MiB);
    expect(r.get(1)).toBeUndefined();
    expect(same(early, raw(1, size))).toBe(true);
    expect(same(r.get(n), raw(n, size))).toBe(true);
    // Everything still kept is right, and it is a contiguous tail.
    let firstKept = 0;
    for (let s = 1; s <= n; s++) {
      const got = r.get(s);
      if (got === undefined) {
        expect(firstKept).toBe(0);
        continue;
      }
      if (firstKept === 0) firstKept = s;
      expect(same(got, raw(s, size))).toBe(true);
    }
    expect(n - firstKept).toBeGreaterThan(2000);
  });

  it("evicts gaps and removed slots with their chunk", () => {
    const r = new RecentMessages(2 * MiB);
    let s = 1;
    for (let i = 0; i < 6000; i++, s += 2) {
      r.add(s, raw(s, 1000));
      if (i % 3 === 0) r.drop(s, false);
    }
    const last = s - 2;
    expect(same(r.get(last), raw(last, 1000))).toBe(true);
    expect(r.bytes).toBeLessThanOrEqual(2 * MiB);
    expect(r.get(1)).toBeUndefined();
  });

  it("keeps values where they are: neighbours in one chunk count it once and go with it", () => {
    const r = new RecentMessages(2 * MiB);
    const chunks = [0, 1, 2].map((c) => Buffer.alloc(MiB, 0x10 + c));
    // Chunk c holds sequences 100c+1..100c+100, 1000 bytes each (as a MessageArena lays them out).
    for (let c = 0; c < 3; c++) {
      for (let k = 0; k < 100; k++) {
        const at = 7 + 1000 * k;
        chunks[c].writeUInt32LE(100 * c + k + 1, at);
        r.add(100 * c + k + 1, chunks[c], at, at + 1000);
        expect(r.bytes).toBe(Math.min(c + 1, 2) * MiB);
      }
    }
    expect(r.get(100)).toBeUndefined(); // chunk 0 went as chunk 2 came
    for (const seq of [101, 150, 200, 201, 300]) {
      const got = r.get(seq)!;
      expect([got.length, got.readUInt32LE(0)]).toEqual([1000, seq]);
    }
    r.drop(150, true);
    expect(chunks[1].readUInt32LE(7 + 49 * 1000)).toBe(0);
    expect(r.get(151)!.readUInt32LE(0)).toBe(151);
  });

  it("keeps a value of any size up to its budget, and nothing larger", () => {
    const r = new RecentMessages(8 * MiB);
    r.add(1, raw(1, 2 * MiB));
    r.add(2, raw(2, 10));
    expect(same(r.get(1), raw(1, 2 * MiB))).toBe(true);
    expect(same(r.get(2), raw(2, 10))).toBe(true);
    r.add(3, raw(3, 9 * MiB));
    expect(r.get(3)).toBeUndefined();
    r.add(4, raw(4));
    expect(same(r.get(4), raw(4))).toBe(true);
  });

  it("with a budget of 0 keeps nothing", () => {
    const r = new RecentMessages(0);
    r.add(1, raw(1));
    expect(r.get(1)).toBeUndefined();
    expect(r.bytes).toBe(0);
  });

  it("lets its memory go when idle between two periodic calls", () => {
    const r = new RecentMessages(32 * MiB);
    r.add(1, raw(1));
    r.releaseIdle(); // used since the last call: kept
    expect(same(r.get(1), raw(1))).toBe(true);
    r.releaseIdle(); // the get counts as use
    expect(same(r.get(1), raw(1))).toBe(true);
    r.releaseIdle();
    r.releaseIdle(); // idle for a whole period
    expect(r.get(1)).toBeUndefined();
    expect(r.bytes).toBe(0);
  });
});

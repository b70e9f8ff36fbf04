import { describe, expect, it } from "vitest";
import { RecentMessages } from "../src/recent-messages.js";

const raw = (seq: number, size = 100): Buffer => Buffer.alloc(size, seq % 251);
const MiB = 1 << 20;

describe("RecentMessages (a file stream's in-memory tail)", () => {
  it("gives back what was added, by sequence, and nothing else", () => {
    const r = new RecentMessages(32 * MiB);
    for (let s = 10; s < 20; s++) r.add(s, raw(s));
    for (let s = 10; s < 20; s++) expect(r.get(s)).toEqual(raw(s));
    expect(r.get(9)).toBeUndefined();
    expect(r.get(20)).toBeUndefined();
    expect(r.get(10.5)).toBeUndefined();
  });

  it("keeps short gaps as empty slots and starts anew after a long gap or a step back", () => {
    const r = new RecentMessages(32 * MiB);
    r.add(1, raw(1));
    r.add(5, raw(5));
    expect(r.get(1)).toEqual(raw(1));
    expect(r.get(3)).toBeUndefined();
    expect(r.get(5)).toEqual(raw(5));
    r.add(100_000, raw(100_000));
    expect(r.get(1)).toBeUndefined();
    expect(r.get(100_000)).toEqual(raw(100_000));
    r.add(7, raw(7));
    expect(r.get(100_000)).toBeUndefined();
    expect(r.get(7)).toEqual(raw(7));
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
    expect(r.get(1)).toEqual(raw(1));
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
    expect(early).toEqual(raw(1, size));
    expect(r.get(n)).toEqual(raw(n, size));
    // Everything still kept is right, and it is a contiguous tail.
    let firstKept = 0;
    for (let s = 1; s <= n; s++) {
      const got = r.get(s);
      if (got === undefined) {
        expect(firstKept).toBe(0);
        continue;
      }
      if (firstKept === 0) firstKept = s;
      expect(got).toEqual(raw(s, size));
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
    expect(r.get(last)).toEqual(raw(last, 1000));
    expect(r.bytes).toBeLessThanOrEqual(2 * MiB);
    expect(r.get(1)).toBeUndefined();
  });

  it("gives a value larger than a chunk a chunk of its own, and keeps nothing larger than the budget", () => {
    const r = new RecentMessages(8 * MiB);
    r.add(1, raw(1, 2 * MiB));
    r.add(2, raw(2, 10));
    expect(r.get(1)).toEqual(raw(1, 2 * MiB));
    expect(r.get(2)).toEqual(raw(2, 10));
    r.add(3, raw(3, 9 * MiB));
    expect(r.get(3)).toBeUndefined();
    r.add(4, raw(4));
    expect(r.get(4)).toEqual(raw(4));
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
    expect(r.get(1)).toEqual(raw(1));
    r.releaseIdle(); // the get counts as use
    expect(r.get(1)).toEqual(raw(1));
    r.releaseIdle();
    r.releaseIdle(); // idle for a whole period
    expect(r.get(1)).toBeUndefined();
    expect(r.bytes).toBe(0);
  });
});

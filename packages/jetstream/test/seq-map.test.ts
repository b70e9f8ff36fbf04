import { describe, expect, it } from "vitest";
import { SeqMap } from "../src/seq-map.js";

/** A seeded generator (failures must be reproducible): an integer in [0, n). */
function rng(seed: number): (n: number) => number {
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

const sorted = (m: Map<number, string>) => [...m].sort((a, b) => a[0] - b[0]);

describe("SeqMap", () => {
  it("agrees with a Map on a sliding window of sequences, stragglers far behind and jumps far ahead", () => {
    const rand = rng(5);
    const map = new SeqMap<string>();
    const model = new Map<number, string>();
    let head = 0;
    for (let step = 0; step < 60_000; step++) {
      const r = rand(100);
      if (r < 45) {
        // A delivery: the next sequences, now and then a jump (filtered consumers skip).
        head += rand(20) === 0 ? 1 + rand(5000) : 1;
        map.set(head, `v${step}`);
        model.set(head, `v${step}`);
      } else if (r < 85) {
        // An ack: mostly near the oldest, sometimes anywhere, sometimes of nothing pending.
        const keys = [...model.keys()];
        const seq = keys.length > 0 && rand(10) > 0 ? keys[rand(Math.min(keys.length, 50))] : rand(head + 10);
        expect(map.delete(seq)).toBe(model.delete(seq));
      } else if (r < 90 && model.size > 0) {
        // A redelivery updates an entry in place.
        const keys = [...model.keys()];
        const seq = keys[rand(keys.length)];
        map.set(seq, `r${step}`);
        model.set(seq, `r${step}`);
      } else {
        const seq = rand(head + 2000);
        expect(map.get(seq)).toBe(model.get(seq));
        expect(map.has(seq)).toBe(model.has(seq));
      }
      expect(map.size).toBe(model.size);
      if (step % 2000 === 0) expect([...map]).toEqual(sorted(model));
    }
    expect([...map.keys()]).toEqual(sorted(model).map(([k]) => k));
    expect([...map.values()]).toEqual(sorted(model).map(([, v]) => v));
  });

  it("iterates live: entries deleted before they are reached are skipped, and a page emptied meanwhile is not reused", () => {
    const map = new SeqMap<number>();
    for (let s = 1; s <= 5000; s++) map.set(s, s);
    const seen: number[] = [];
    for (const [seq] of map) {
      seen.push(seq);
      if (seq === 10) for (let s = 11; s <= 3000; s++) map.delete(s); // empties whole pages
      if (seq === 3001) map.set(1_000_000, 1); // a new page while the emptied ones are still held
    }
    expect(seen.slice(0, 11)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 3001]);
    expect(seen).not.toContain(1_000_000 - 1);
    expect(map.size).toBe(10 + 2000 + 1);
    expect(map.get(1_000_000)).toBe(1);
    expect(map.get(500)).toBeUndefined();
    map.clear();
    expect(map.size).toBe(0);
    expect([...map]).toEqual([]);
  });
});

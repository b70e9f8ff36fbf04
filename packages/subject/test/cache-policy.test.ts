import { describe, expect, it } from "vitest";
import { Sublist, type Subscription } from "../src/index.js";
import { CachePolicy, MAX_OFF_WINDOWS, MIN_HIT_RATE, MIN_OFF_WINDOWS, WINDOW } from "../src/cache-policy.js";
import { MatchCache } from "../src/match-cache.js";

describe("MatchCache", () => {
  it("serves entries of the current generation only", () => {
    const c = new MatchCache<number>(4);
    c.set("a", 1, 0);
    expect(c.get("a", 0)).toBe(1);
    expect(c.size(0)).toBe(1);
    expect(c.size(1)).toBe(0);
    expect(c.get("a", 1)).toBeUndefined();
    expect(c.get("a", 0)).toBeUndefined(); // the generation change dropped everything
  });

  it("evicts in insertion order once full", () => {
    const c = new MatchCache<number>(3);
    for (let i = 0; i < 5; i++) c.set(`k${i}`, i, 7);
    expect(c.size(7)).toBe(3);
    expect(c.get("k0", 7)).toBeUndefined();
    expect(c.get("k1", 7)).toBeUndefined();
    expect([c.get("k2", 7), c.get("k3", 7), c.get("k4", 7)]).toEqual([2, 3, 4]);
    c.set("k5", 5, 7);
    expect(c.get("k2", 7)).toBeUndefined();
    expect(c.get("k5", 7)).toBe(5);
  });

  it("refills correctly after a reset", () => {
    const c = new MatchCache<number>(2);
    c.set("a", 1, 0);
    c.set("b", 2, 0);
    c.set("c", 3, 0);
    c.set("x", 10, 1); // new generation: starts over
    c.set("y", 11, 1);
    c.set("z", 12, 1);
    expect(c.size(1)).toBe(2);
    expect([c.get("x", 1), c.get("y", 1), c.get("z", 1)]).toEqual([undefined, 11, 12]);
    c.clear();
    expect(c.size(1)).toBe(0);
  });
});

describe("CachePolicy", () => {
  const window = 100;
  const run = (p: CachePolicy, n: number, hitEvery: number): void => {
    for (let i = 0; i < n; i++) {
      if (p.active) p.record(i % hitEvery === 0);
      else p.skip();
    }
  };

  it("stays on while the hit rate is high", () => {
    const p = new CachePolicy(window, 0.25);
    run(p, 100 * window, 2);
    expect(p.active).toBe(true);
  });

  it("does not judge the first (cold) window", () => {
    const p = new CachePolicy(window, 0.25);
    for (let i = 0; i < window; i++) expect(p.record(false)).toBe(true);
    expect(p.active).toBe(true);
  });

  it("switches off after a window of rare hits", () => {
    const p = new CachePolicy(window, 0.25);
    for (let i = 0; i < window; i++) p.record(false);
    for (let i = 0; i < window - 1; i++) expect(p.record(i % 10 === 0)).toBe(true);
    expect(p.record(false)).toBe(false);
    expect(p.active).toBe(false);
  });

  it("probes again after a back-off that doubles per failed probe", () => {
    const p = new CachePolicy(window, 0.25);
    run(p, 2 * window, 1000); // off
    expect(p.active).toBe(false);
    let off = MIN_OFF_WINDOWS;
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < off * window - 1; i++) p.skip();
      expect(p.active).toBe(false);
      p.skip();
      expect(p.active).toBe(true); // probing
      run(p, 2 * window, 1000); // warm-up window, then a failed judgement
      expect(p.active).toBe(false);
      off = Math.min(off * 2, MAX_OFF_WINDOWS);
    }
  });

  it("stays on after a probe that hits", () => {
    const p = new CachePolicy(window, 0.25);
    run(p, 2 * window, 1000);
    for (let i = 0; i < MIN_OFF_WINDOWS * window; i++) p.skip();
    expect(p.active).toBe(true);
    run(p, 50 * window, 2);
    expect(p.active).toBe(true);
  });

  it("has sane defaults", () => {
    expect(WINDOW).toBe(1024);
    expect(MIN_HIT_RATE).toBeGreaterThan(0);
    expect(MIN_HIT_RATE).toBeLessThan(1);
  });
});

describe("Sublist with the adaptive cache", () => {
  it("turns the cache off for unrepeated subjects and back on when they repeat", () => {
    const s = new Sublist<Subscription>();
    const all: Subscription = { subject: ">" };
    s.insert(all);
    // Every subject new: one cold window, one judged window, then off.
    for (let i = 0; i < 2 * WINDOW; i++) s.match(`unique.${i}`);
    expect(s.stats().cacheEntries).toBe(0);
    const hitsBefore = s.stats().cacheHits;
    // While off, nothing is cached, even repeats.
    for (let i = 0; i < WINDOW; i++) s.match("hot");
    expect(s.stats().cacheHits).toBe(hitsBefore);
    expect(s.stats().cacheEntries).toBe(0);
    // After the back-off the probe finds a repeating workload and the cache stays on.
    for (let i = 0; i < (MIN_OFF_WINDOWS + 4) * WINDOW; i++) {
      const r = s.match(`hot.${i % 10}`);
      expect(r.psubs).toEqual([all]);
    }
    expect(s.stats().cacheEntries).toBe(10);
    expect(s.stats().cacheHits).toBeGreaterThan(hitsBefore + 3 * WINDOW);
  });

  it("turns the cache off when subscriptions churn between matches", () => {
    const s = new Sublist<Subscription>();
    const fixed: Subscription = { subject: "foo.*" };
    s.insert(fixed);
    for (let i = 0; i < 3 * WINDOW; i++) {
      const temp: Subscription = { subject: `tmp.${i}` };
      s.insert(temp);
      expect(s.match("foo.bar").psubs).toEqual([fixed]);
      s.remove(temp);
    }
    expect(s.stats().cacheEntries).toBe(0);
    expect(s.stats().cacheHits).toBe(0);
  });
});

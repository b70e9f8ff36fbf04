/**
 * Randomized comparison of Sublist against the naive matcher: thousands of random subscriptions, random
 * literal subjects, random inserts and removes in between. Three indexes get the same operations: one
 * cached, one uncached and one with a tiny cache (constant eviction). Each match is checked against
 * `subjectMatches` over every live subscription, and the cached results must be identical (same order)
 * to the uncached ones.
 */
import { describe, expect, it } from "vitest";
import { Sublist, subjectMatches, type MatchResult, type Subscription } from "../src/index.js";
import { int, pick, randomFilter, randomLiteral, rng } from "./helpers.js";

interface Sub extends Subscription {
  readonly id: number;
}

const QUEUES = ["q1", "q2", "q3"];

function expected(live: Iterable<Sub>, subject: string): { psubs: number[]; qsubs: Map<string, number[]> } {
  const psubs: number[] = [];
  const qsubs = new Map<string, number[]>();
  for (const s of live) {
    if (!subjectMatches(subject, s.subject)) continue;
    if (s.queue === undefined) psubs.push(s.id);
    else {
      const g = qsubs.get(s.queue) ?? [];
      g.push(s.id);
      qsubs.set(s.queue, g);
    }
  }
  psubs.sort((a, b) => a - b);
  for (const g of qsubs.values()) g.sort((a, b) => a - b);
  return { psubs, qsubs };
}

/** The result as sorted ids per kind, or a description of what is malformed about it. */
function normalize(r: MatchResult<Sub>): { psubs: number[]; qsubs: Map<string, number[]> } | string {
  const qsubs = new Map<string, number[]>();
  for (const group of r.qsubs) {
    if (group.length === 0) return "empty queue group";
    const name = group[0].queue!;
    if (qsubs.has(name)) return `queue group ${name} split in two`;
    for (const s of group) if (s.queue !== name) return `${s.queue} member in group ${name}`;
    qsubs.set(name, group.map((s) => s.id).sort((a, b) => a - b));
  }
  return { psubs: r.psubs.map((s) => s.id).sort((a, b) => a - b), qsubs };
}

// Hand-rolled comparisons: deep `toEqual` on every step of thousands would dominate the run time, so
// `expect` only runs (for its diff) once something differs.
function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameExpected(got: ReturnType<typeof normalize>, want: ReturnType<typeof expected>): boolean {
  if (typeof got === "string" || !sameIds(got.psubs, want.psubs) || got.qsubs.size !== want.qsubs.size) return false;
  for (const [name, ids] of want.qsubs) {
    const g = got.qsubs.get(name);
    if (g === undefined || !sameIds(g, ids)) return false;
  }
  return true;
}

function sameSubs(a: readonly Sub[], b: readonly Sub[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Identical results: same objects in the same order. */
function identical(a: MatchResult<Sub>, b: MatchResult<Sub>): boolean {
  if (!sameSubs(a.psubs, b.psubs) || a.qsubs.length !== b.qsubs.length) return false;
  for (let i = 0; i < a.qsubs.length; i++) if (!sameSubs(a.qsubs[i], b.qsubs[i])) return false;
  return true;
}

interface Scenario {
  name: string;
  seed: number;
  alphabet: string[];
  maxTokens: number;
  initialSubs: number;
  steps: number;
  /** Share of steps that change the set (half inserts, half removes). */
  churn: number;
  /** Distinct literal subjects published to; few means many cache hits. */
  subjectPool: number;
  /** Whether the hit rate keeps the cache on to the end (checked, so the scenario tests what it says). */
  cacheStaysOn: boolean;
}

const scenarios: Scenario[] = [
  {
    name: "hot subjects, light churn",
    seed: 1,
    alphabet: ["a", "b", "c", "d"],
    maxTokens: 4,
    initialSubs: 3000,
    steps: 3000,
    churn: 0.02,
    subjectPool: 60,
    cacheStaysOn: true,
  },
  {
    name: "hot subjects, heavy churn",
    seed: 2,
    alphabet: ["a", "b", "c"],
    maxTokens: 4,
    initialSubs: 2000,
    steps: 3000,
    churn: 0.3,
    subjectPool: 40,
    cacheStaysOn: false,
  },
  {
    name: "cold subjects (cache switches off)",
    seed: 3,
    alphabet: ["a", "b", "c", "d", "e", "f"],
    maxTokens: 5,
    initialSubs: 3000,
    steps: 4000,
    churn: 0.01,
    subjectPool: 100_000,
    cacheStaysOn: false,
  },
  {
    name: "wide alphabet, deep subjects",
    seed: 4,
    alphabet: ["x", "y", "z", "w", "v", "u", "t", "s", "ü", "日"],
    maxTokens: 6,
    initialSubs: 4000,
    steps: 2500,
    churn: 0.004,
    subjectPool: 80,
    cacheStaysOn: true,
  },
];

describe.each(scenarios)("Sublist vs naive matcher: $name", (sc) => {
  it("matches identically", () => {
    const rand = rng(sc.seed);
    const cached = new Sublist<Sub>();
    const uncached = new Sublist<Sub>({ cache: false });
    const tiny = new Sublist<Sub>({ cacheSize: 4 });
    const lists = [cached, uncached, tiny];
    const live: Sub[] = [];
    let nextId = 0;

    const subjects: string[] = [];
    for (let i = 0; i < Math.min(sc.subjectPool, 2000); i++) {
      subjects.push(randomLiteral(rand, sc.alphabet, sc.maxTokens + 1));
    }
    const publishSubject = (): string =>
      sc.subjectPool <= subjects.length ? pick(rand, subjects) : randomLiteral(rand, sc.alphabet, sc.maxTokens + 1);

    const insert = (): void => {
      const r = rand();
      const s: Sub = {
        id: nextId++,
        subject: randomFilter(rand, sc.alphabet, sc.maxTokens),
        queue: r < 0.25 ? pick(rand, QUEUES) : undefined,
      };
      for (const l of lists) l.insert(s);
      live.push(s);
    };
    const remove = (): void => {
      if (live.length === 0) return;
      const i = int(rand, 0, live.length - 1);
      const [s] = live.splice(i, 1);
      for (const l of lists) if (!l.remove(s)) expect.fail(`remove ${s.subject} #${s.id} failed`);
    };

    for (let i = 0; i < sc.initialSubs; i++) insert();

    for (let step = 0; step < sc.steps; step++) {
      const r = rand();
      if (r < sc.churn / 2) insert();
      else if (r < sc.churn) remove();
      const subject = publishSubject();
      const want = expected(live, subject);
      const got = uncached.match(subject);
      const norm = normalize(got);
      if (!sameExpected(norm, want)) expect(norm, subject).toEqual(want);
      // Cached results, hit or miss, equal the uncached ones exactly, order included.
      const fromCache = cached.match(subject);
      if (!identical(fromCache, got)) expect(fromCache, subject).toEqual(got);
      const fromTiny = tiny.match(subject);
      if (!identical(fromTiny, got)) expect(fromTiny, subject).toEqual(got);
      // Reply-style matching through the sibling table answers the same, however the set changed since.
      const sibling = normalize(cached.matchSibling(subject));
      if (!sameExpected(sibling, want)) expect(sibling, `matchSibling ${subject}`).toEqual(want);
      const interest = want.psubs.length > 0 || want.qsubs.size > 0;
      if (cached.hasInterest(subject) !== interest || uncached.hasInterest(subject) !== interest) {
        expect.fail(`hasInterest(${subject}) should be ${interest}`);
      }
    }

    const stats = cached.stats();
    if (sc.cacheStaysOn) {
      expect(stats.cacheHits).toBeGreaterThan(stats.matches / 2);
      expect(stats.cacheEntries).toBeGreaterThan(0);
    } else {
      expect(stats.cacheHits).toBeLessThan(stats.matches / 2);
    }
    for (const l of lists) {
      expect(l.count).toBe(live.length);
      expect(l.all().map((s) => s.id).sort((a, b) => a - b)).toEqual(live.map((s) => s.id).sort((a, b) => a - b));
    }

    // Tear everything down; the index must end up empty.
    const batch = live.splice(0, live.length);
    for (const l of lists) {
      l.removeBatch(batch);
      expect(l.count).toBe(0);
      expect(l.match(subjects[0])).toEqual({ psubs: [], qsubs: [] });
    }
  });
});

describe("Sublist.lastTokenFree vs naive matcher", () => {
  it("holds only where every sibling subject matches the same subscriptions", () => {
    const rand = rng(7);
    const alphabet = ["a", "b", "c"];
    const others = [...alphabet, "zz"];
    let free = 0;
    let checked = 0;
    for (let round = 0; round < 300; round++) {
      const list = new Sublist<Sub>();
      const live: Sub[] = [];
      // Few subscriptions, mostly wildcards, so the property is true often enough to be tested.
      for (let i = int(rand, 0, 8); i > 0; i--) {
        const s: Sub = { id: live.length, subject: randomFilter(rand, alphabet, 4), queue: rand() < 0.2 ? pick(rand, QUEUES) : undefined };
        list.insert(s);
        live.push(s);
      }
      for (let k = 0; k < 20; k++) {
        const subject = randomLiteral(rand, alphabet, 5);
        if (!list.lastTokenFree(subject)) continue;
        free++;
        const prefix = subject.slice(0, subject.lastIndexOf("."));
        const want = expected(live, subject);
        for (const t of others) {
          checked++;
          const got = expected(live, `${prefix}.${t}`);
          if (!sameExpected(got, want)) expect({ subject, sibling: `${prefix}.${t}`, got }).toEqual(want);
        }
      }
    }
    expect(free).toBeGreaterThan(100);
    expect(checked).toBeGreaterThan(400);
  });
});

describe("Sublist.firstTokenMisses vs naive matcher", () => {
  it("holds only where nothing matches, with few and with many first tokens", () => {
    const rand = rng(11);
    let misses = 0;
    let held = 0;
    for (let round = 0; round < 300; round++) {
      const list = new Sublist<Sub>();
      const live: Sub[] = [];
      // Wide alphabets give more first tokens than the in-place comparison handles (the lookup path too).
      const alphabet = round % 2 === 0 ? ["a", "b", "ab"] : Array.from({ length: 12 }, (_, i) => `t${i}`);
      for (let i = int(rand, 0, 10); i > 0; i--) {
        const s: Sub = { id: live.length, subject: rand() < 0.8 ? randomLiteral(rand, alphabet, 3) : randomFilter(rand, alphabet, 3), queue: undefined };
        list.insert(s);
        live.push(s);
      }
      // Remove some, so emptied first tokens are tried too.
      for (const s of live.splice(0, int(rand, 0, live.length))) list.remove(s);
      for (let k = 0; k < 20; k++) {
        const subject = randomLiteral(rand, [...alphabet, "abc", "zz"], 4);
        const none = expected(live, subject).psubs.length === 0;
        if (list.firstTokenMisses(subject)) {
          misses++;
          expect({ subject, none }).toEqual({ subject, none: true });
        } else if (!none) held++;
      }
    }
    expect(misses).toBeGreaterThan(500);
    expect(held).toBeGreaterThan(200);
  });
});

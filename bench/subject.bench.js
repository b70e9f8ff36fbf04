// Subject matching with 10k subscriptions: cache hits vs. uncached trie walks, the adaptive cache on
// subjects that never repeat, insert/remove. Each timed call does BATCH operations, because one match
// (30 ns - 1 µs) is close to the timer's own overhead; "items/s" is per operation.
import { Bench } from "tinybench";
import { Sublist } from "@tsnats/subject";

const SUBS = 10_000;
const BATCH = 1000;
const HOT_SUBJECTS = 512; // fits the default 1024-entry cache
const COLD_SUBJECTS = 200_000; // cycled through: no subject repeats within the cache's reach

export function subjectBench() {
  // Seeded PRNG so every run benchmarks the same index.
  let seed = 0x5eed;
  function rand() {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  const pick = (items) => items[Math.floor(rand() * items.length)];

  // 3-5 token subjects shaped like "orders.eu.shop42.item7.created": few values near the root, more below.
  const VOCAB = [8, 40, 120, 200, 60].map((n, level) => Array.from({ length: n }, (_, i) => `t${level}v${i}`));
  function literalSubject() {
    const n = 3 + Math.floor(rand() * 3);
    const tokens = [];
    for (let i = 0; i < n; i++) tokens.push(pick(VOCAB[i]));
    return tokens.join(".");
  }

  // 80% literal, 10% with a `*` somewhere after the first token, 10% ending in `>`; 10% are queue subs.
  function randomSub() {
    const tokens = literalSubject().split(".");
    const r = rand();
    if (r < 0.1) tokens[1 + Math.floor(rand() * (tokens.length - 1))] = "*";
    else if (r < 0.2) {
      tokens.length = 1 + Math.floor(rand() * (tokens.length - 1));
      tokens.push(">");
    }
    return { subject: tokens.join("."), queue: rand() < 0.1 ? `q${Math.floor(rand() * 4)}` : undefined };
  }

  const subs = Array.from({ length: SUBS }, randomSub);
  const extra = Array.from({ length: BATCH }, randomSub); // the insert/remove batch
  // Publish subjects: half the subjects of literal subscriptions (guaranteed interest), half random.
  const literalSubs = subs.filter((s) => !s.subject.includes("*") && !s.subject.includes(">"));
  const publishSubject = () => (rand() < 0.5 ? pick(literalSubs).subject : literalSubject());
  const hot = Array.from({ length: HOT_SUBJECTS }, publishSubject);
  const cold = Array.from({ length: COLD_SUBJECTS }, publishSubject);
  // The server gets a new string for every message it parses, whose hash V8 has not computed yet; these
  // buffers let the "fresh string" cases pay that (plus the decode) as the server would.
  const hotBuffers = hot.map((s) => Buffer.from(s, "latin1"));

  function build(options) {
    const list = new Sublist(options);
    for (const s of subs) list.insert(s);
    return list;
  }

  const cached = build({});
  const uncached = build({ cache: false });
  const adaptive = build({});
  const mutable = build({ cache: false });

  let sink = 0; // consumed results, so no match can be optimized away
  let hotAt = 0;
  let coldAt = 0;

  function matchHot(list) {
    for (let i = 0; i < BATCH; i++) {
      sink += list.match(hot[hotAt]).psubs.length;
      if (++hotAt === HOT_SUBJECTS) hotAt = 0;
    }
  }
  function matchHotFresh(list) {
    for (let i = 0; i < BATCH; i++) {
      const b = hotBuffers[hotAt];
      sink += list.match(b.latin1Slice(0, b.length)).psubs.length;
      if (++hotAt === HOT_SUBJECTS) hotAt = 0;
    }
  }
  function matchCold(list) {
    for (let i = 0; i < BATCH; i++) {
      sink += list.match(cold[coldAt]).psubs.length;
      if (++coldAt === COLD_SUBJECTS) coldAt = 0;
    }
  }

  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench
    .add("match, cache hit", () => matchHot(cached))
    .add("match, no cache", () => matchHot(uncached))
    .add("match, cache hit, fresh strings", () => matchHotFresh(cached))
    .add("match, no cache, fresh strings", () => matchHotFresh(uncached))
    .add("(baseline) decode fresh string only", () => {
      for (let i = 0; i < BATCH; i++) {
        const b = hotBuffers[hotAt];
        sink += b.latin1Slice(0, b.length).length;
        if (++hotAt === HOT_SUBJECTS) hotAt = 0;
      }
    })
    .add("match, unrepeated subjects, adaptive cache", () => matchCold(adaptive))
    .add("match, unrepeated subjects, no cache", () => matchCold(uncached))
    .add("hasInterest, no cache", () => {
      for (let i = 0; i < BATCH; i++) {
        if (uncached.hasInterest(hot[hotAt])) sink++;
        if (++hotAt === HOT_SUBJECTS) hotAt = 0;
      }
    })
    .add(
      "insert (into 10k)",
      () => {
        for (const s of extra) mutable.insert(s);
      },
      { beforeEach: () => mutable.removeBatch(extra) },
    )
    .add(
      "remove (from 10k + batch)",
      () => {
        for (const s of extra) mutable.remove(s);
      },
      { beforeEach: () => { for (const s of extra) mutable.insert(s); } },
    );
  return { bench, perOp: BATCH, check: () => sink > 0 };
}

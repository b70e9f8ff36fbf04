// Subject matching with 10k subscriptions: cache hits vs. uncached trie walks.
import { Bench } from "tinybench";
import { Sublist } from "@tsnats/subject";

const N_SUBS = 10_000;
const WORDS = ["orders", "users", "events", "metrics", "logs", "billing", "inventory", "shipping"];

function randomSubs(rand) {
  const subs = [];
  for (let i = 0; i < N_SUBS; i++) {
    const t = [WORDS[rand() % WORDS.length], `r${rand() % 50}`, `id${rand() % 100}`];
    const k = rand() % 10;
    if (k === 0) t[1] = "*";
    else if (k === 1) t[2] = ">";
    subs.push({ subject: t.join("."), queue: k === 2 ? "q" : undefined });
  }
  return subs;
}

export function subjectBench() {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const subs = randomSubs(rand);
  const cached = new Sublist();
  const uncached = new Sublist({ cache: false });
  for (const s of subs) {
    cached.insert(s);
    uncached.insert(s);
  }
  // Hot set: 64 subjects published over and over (cache hits); cold: 100k distinct subjects.
  const hot = Array.from({ length: 64 }, (_, i) => `${WORDS[i % WORDS.length]}.r${i % 50}.id${i % 100}`);
  const cold = Array.from({ length: 100_000 }, () => `${WORDS[rand() % WORDS.length]}.r${rand() % 50}.id${rand() % 100}.x${rand() % 1000}`);
  let h = 0;
  let c = 0;
  let found = 0;
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench
    .add("match, 10k subs, cached (hot subjects)", () => {
      found += cached.match(hot[h++ & 63]).psubs.length;
    })
    .add("match, 10k subs, uncached", () => {
      found += uncached.match(hot[h++ & 63]).psubs.length;
    })
    .add("match, 10k subs, cache on, all misses (distinct subjects)", () => {
      found += cached.match(cold[c++ % cold.length]).psubs.length;
    })
    .add("insert + remove", () => {
      const s = { subject: `${WORDS[h & 7]}.new.${h++}`, queue: undefined };
      cached.insert(s);
      cached.remove(s);
    });
  return { bench, check: () => found > 0 };
}

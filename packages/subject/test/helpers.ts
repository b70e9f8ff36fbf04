/** Test helpers: a seeded PRNG (failures must be reproducible) and random subjects over a small alphabet. */

/** mulberry32: tiny, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

export function int(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

/** A filter: 1..maxTokens tokens from `alphabet` or `*`, the last possibly `>`. */
export function randomFilter(rand: () => number, alphabet: readonly string[], maxTokens: number): string {
  const n = int(rand, 1, maxTokens);
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (i === n - 1 && r < 0.15) tokens.push(">");
    else if (r < 0.35) tokens.push("*");
    else tokens.push(pick(rand, alphabet));
  }
  return tokens.join(".");
}

export function randomLiteral(rand: () => number, alphabet: readonly string[], maxTokens: number): string {
  const n = int(rand, 1, maxTokens);
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) tokens.push(pick(rand, alphabet));
  return tokens.join(".");
}

/** Every literal subject of 1..maxTokens tokens over `alphabet`. */
export function allLiterals(alphabet: readonly string[], maxTokens: number): string[] {
  const out: string[] = [];
  let layer = [""];
  for (let n = 1; n <= maxTokens; n++) {
    const next: string[] = [];
    for (const prefix of layer) for (const t of alphabet) next.push(prefix === "" ? t : `${prefix}.${t}`);
    out.push(...next);
    layer = next;
  }
  return out;
}

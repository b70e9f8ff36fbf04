/**
 * A bounded subject -> result cache invalidated by generation: the index bumps its generation on every
 * insert and remove, and the first cache access under a new generation drops everything. That makes
 * invalidation O(1) for the writer (nats-server instead walks its cache on each change, matching every
 * cached subject against the changed one), at the price of losing unrelated entries too; the hit-rate
 * policy (cache-policy.ts) turns the cache off when churn makes that price too high.
 */
export class MatchCache<V> {
  private readonly entries = new Map<string, V>();
  /** Keys in insertion order, as a ring: evicting the oldest entry needs no iterator allocation. */
  private readonly order: string[];
  private head = 0;
  private generation = -1;

  constructor(readonly capacity: number) {
    this.order = new Array<string>(capacity);
  }

  /** The cached value for `key`, if it was stored under `generation`. */
  get(key: string, generation: number): V | undefined {
    if (generation !== this.generation) {
      this.reset(generation);
      return undefined;
    }
    return this.entries.get(key);
  }

  /** Stores `value`; `key` must not be cached already (callers store only after a miss). */
  set(key: string, value: V, generation: number): void {
    if (generation !== this.generation) this.reset(generation);
    const entries = this.entries;
    // Once full, the ring slot at `head` holds the oldest key: evict it and reuse the slot (FIFO).
    if (entries.size >= this.capacity) entries.delete(this.order[this.head]);
    entries.set(key, value);
    this.order[this.head] = key;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
  }

  /** Entries valid under `generation`. */
  size(generation: number): number {
    return generation === this.generation ? this.entries.size : 0;
  }

  clear(): void {
    this.reset(-1);
  }

  private reset(generation: number): void {
    this.entries.clear();
    // The ring is only read once the map is full again, by which time every slot has been rewritten.
    this.head = 0;
    this.generation = generation;
  }
}

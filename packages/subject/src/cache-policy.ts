/**
 * Decides whether the match cache is worth using. A hit is ~20x cheaper than a trie walk, but a miss costs
 * a walk plus the cache bookkeeping, and results retained by the cache outlive the young generation, which
 * makes the garbage collector work harder. With a low hit rate (random subjects, or subscriptions changing
 * between publishes so each generation bump empties the cache) caching makes matching slower than not
 * caching at all (1.6-2x at a 4% hit rate in the project's earlier measurements; see MIN_HIT_RATE for ours).
 * So the hit rate is measured per window of lookups; when it falls below `minHitRate` the cache is switched
 * off, and it is switched on again for a probe after a back-off that doubles with every failed probe (a
 * workload whose subjects start repeating is picked up again; one that never does costs little).
 */

/** Lookups per measurement window. */
export const WINDOW = 1024;

/**
 * Lowest hit rate at which caching still pays. Measured with 10k subscriptions (medians of 5 runs; uncached
 * match ~550 ns, cache hit ~30 ns): with every lookup a miss the cache made matching 1.45x slower (single
 * runs up to 3.4x, when major GCs landed in the run), because a miss adds the map insert and eviction and the
 * results the cache retains get promoted out of the young generation. At a 25% hit rate the cache was still
 * 19% slower, at 43% it was 7% faster: break-even is about a third, hence 35%.
 */
export const MIN_HIT_RATE = 0.35;

/**
 * Windows to stay off after the first failed measurement, doubling per failed probe up to the maximum. A
 * probe costs two windows at the cached-miss price, so at the maximum a workload that never repeats pays
 * under 1% for being re-checked; and a workload that starts repeating gets its cache back within 256k
 * lookups (a fraction of a second at the rates that make the cache matter).
 */
export const MIN_OFF_WINDOWS = 4;
export const MAX_OFF_WINDOWS = 256;

export class CachePolicy {
  /** Whether lookups should go through the cache right now. */
  active = true;
  private lookups = 0;
  private hits = 0;
  /** The first window after switching on starts from an empty cache, so it is not judged. */
  private warming = true;
  private skipped = 0;
  private offWindows = MIN_OFF_WINDOWS;

  constructor(
    private readonly window: number = WINDOW,
    private readonly minHitRate: number = MIN_HIT_RATE,
  ) {}

  /** Records a cached lookup. Returns false when this lookup switched the cache off. */
  record(hit: boolean): boolean {
    if (hit) this.hits++;
    if (++this.lookups < this.window) return true;
    const rate = this.hits / this.lookups;
    this.lookups = 0;
    this.hits = 0;
    if (this.warming) {
      this.warming = false;
      return true;
    }
    if (rate >= this.minHitRate) {
      this.offWindows = MIN_OFF_WINDOWS;
      return true;
    }
    this.active = false;
    this.skipped = 0;
    return false;
  }

  /** Records a lookup made while the cache is off; switches it back on for a probe when the back-off is over. */
  skip(): void {
    if (++this.skipped < this.offWindows * this.window) return;
    this.active = true;
    this.warming = true;
    // Doubled now; a probe that passes resets it in record().
    this.offWindows = Math.min(this.offWindows * 2, MAX_OFF_WINDOWS);
  }
}

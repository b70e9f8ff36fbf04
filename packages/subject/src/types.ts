/** A subscription as the index sees it; the server's own subscription objects extend this. */
export interface Subscription {
  readonly subject: string;
  /** Queue group name; `undefined` for a plain subscription. Must not be the empty string. */
  readonly queue?: string | undefined;
}

/**
 * What a publish on one subject reaches: every plain subscription, and the queue subscriptions grouped by
 * queue name (one inner array per name, one member of which gets each message). Results may be shared with
 * the match cache and between callers: treat them as immutable.
 */
export interface MatchResult<S extends Subscription> {
  readonly psubs: readonly S[];
  readonly qsubs: readonly (readonly S[])[];
}

export interface SublistOptions {
  /** Cache match results per subject (default true). The cache still switches itself off while it rarely hits. */
  cache?: boolean;
  /** Most cached subjects (default 1024, nats-server's `slCacheMax`). */
  cacheSize?: number;
}

export interface SublistStats {
  count: number;
  /** Cached results valid for the current set of subscriptions. */
  cacheEntries: number;
  matches: number;
  cacheHits: number;
  inserts: number;
  removes: number;
}

import { HintKind } from "./ops.js";

/** Where a hint says a message goes: plain subscriptions, and queue groups (one member of each gets it). */
export interface HintedRoute<S> {
  readonly plain: S[];
  readonly groups: S[][];
}

/** Entries per account and kind; a full table is simply emptied (hints are cheap to learn again). */
const MAX_ENTRIES = 1024;

/**
 * Delivery hints of one account: where its shard said messages on a subject go. They let the front-end
 * deliver a message itself when its shard link is idle, skipping two thread hops (~25 µs each on these
 * machines, mostly waking the other thread): sequential request/reply is latency-bound by exactly those.
 *
 * A hint is only a cache of the shard's routing. It is trusted while nothing could have changed the
 * answer; the shard only gives hints for accounts and subjects whose routing depends on the account's
 * client subscriptions alone (shard-hints.ts), and every change to those passes through the front-end:
 * - any SUB, UNSUB, CONNECT or disconnect in the account drops its hints (`invalidate`), and the router
 *   refuses the hints still on their way from the shard, computed before the change: those in answers up
 *   to the batch that carries the change;
 * - a hint names subscriptions, and each is checked to be alive and without a delivery limit when used.
 * Order is kept because a hint is only used when the link has nothing in flight (ORDERING.md, 6); a hint
 * to nobody drops nothing anybody would have received, so outside JetStream accounts it needs no idle link.
 */
export class DeliveryHints<S> {
  private readonly exact = new Map<string, HintedRoute<S>>();
  /** Hints for every subject one token below the key (a requester's replies): `<key>.<any token>`. */
  private readonly below = new Map<string, HintedRoute<S>>();
  /** Exact hints that name nobody: those may be used even with batches in flight (see `nobody`). */
  private empty = 0;

  /**
   * @param shardChanges The shard itself can change the account's routing (JetStream: streams, server
   *   subscriptions); its resets may then be in flight, so `nobody` waits for an idle link like any hint.
   */
  constructor(private readonly shardChanges: boolean) {}

  /**
   * Whether a message on `subject` goes nowhere, as far as hints say while batches are in flight. Dropping it
   * cannot overtake anything (nobody would have received it), so where every change to the account's
   * routing passes through the front-end, this hint holds with batches in flight too: a publisher to a
   * subject nobody listens on never waits for its shard.
   */
  nobody(subject: string): boolean {
    if (this.empty === 0 || this.shardChanges) return false;
    const route = this.exact.get(subject);
    return route !== undefined && isEmpty(route);
  }

  /** Where a message on `subject` goes, if known. */
  lookup(subject: string): HintedRoute<S> | undefined {
    if (this.exact.size > 0) {
      const route = this.exact.get(subject);
      if (route !== undefined) return route;
    }
    if (this.below.size === 0) return undefined;
    const dot = subject.lastIndexOf(".");
    return dot > 0 ? this.below.get(subject.substring(0, dot)) : undefined;
  }

  learn(kind: number, key: string, route: HintedRoute<S>): void {
    if (kind !== HintKind.Exact) {
      if (this.below.size >= MAX_ENTRIES) this.below.clear();
      this.below.set(key, route);
      return;
    }
    if (this.exact.size >= MAX_ENTRIES) this.clearExact();
    const before = this.exact.get(key);
    if (before !== undefined && isEmpty(before)) this.empty--;
    if (isEmpty(route)) this.empty++;
    this.exact.set(key, route);
  }

  /** The account's routing changed. */
  invalidate(): void {
    this.clearExact();
    this.below.clear();
  }

  private clearExact(): void {
    this.exact.clear();
    this.empty = 0;
  }

  /** A hint turned out wrong for this use (a subscription went away or got a limit). */
  drop(subject: string): void {
    const route = this.exact.get(subject);
    if (route !== undefined && isEmpty(route)) this.empty--;
    this.exact.delete(subject);
    const dot = subject.lastIndexOf(".");
    if (dot > 0) this.below.delete(subject.substring(0, dot));
  }
}

function isEmpty<S>(route: HintedRoute<S>): boolean {
  return route.plain.length === 0 && route.groups.length === 0;
}

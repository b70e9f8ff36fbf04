import { type Permissions, type ResponsePermission, SubjectPermissionChecker } from "@tsnats/accounts";

/** Decisions per subject are cached up to this many entries (then the cache starts over). */
const CACHE_MAX = 512;

/** A reply subject this client may answer: `allow_responses` grants a few publishes to it for a while. */
interface ResponseGrant {
  left: number;
  expiresAt: number;
}

/**
 * One connection's permissions, as nats-server applies them: publish and subscribe allow/deny lists,
 * delivery-time filtering of denied subjects for wildcard subscriptions, and `allow_responses` (the
 * reply subjects of requests this client received may be published to, `max` times within `expires`).
 */
export class ClientPermissions {
  private readonly pub: SubjectPermissionChecker | undefined;
  private readonly sub: SubjectPermissionChecker | undefined;
  private readonly responses: ResponsePermission | undefined;
  private readonly pubCache = new Map<string, boolean>();
  private readonly denyCache = new Map<string, boolean>();
  private readonly grants = new Map<string, ResponseGrant>();

  constructor(p: Permissions) {
    if (p.publish !== undefined) this.pub = new SubjectPermissionChecker(p.publish);
    if (p.subscribe !== undefined) this.sub = new SubjectPermissionChecker(p.subscribe);
    this.responses = p.allowResponses;
    // allow_responses alone means: publish nothing but responses.
    if (this.pub === undefined && this.responses !== undefined) this.pub = new SubjectPermissionChecker({ deny: [">"] });
  }

  /** May the client publish to `subject`? Consumes a response grant when that is what allows it. */
  mayPublish(subject: string, now: number): boolean {
    if (this.pub === undefined) return true;
    let ok = this.pubCache.get(subject);
    if (ok === undefined) {
      ok = this.pub.allows(subject);
      if (this.pubCache.size >= CACHE_MAX) this.pubCache.clear();
      this.pubCache.set(subject, ok);
    }
    return ok || this.useGrant(subject, now);
  }

  maySubscribe(subject: string, queue: string | undefined): boolean {
    return this.sub === undefined || this.sub.allows(subject, queue);
  }

  /** A message on `subject` must not be delivered (a wildcard subscription matched a denied subject). */
  deliveryDenied(subject: string): boolean {
    const sub = this.sub;
    if (sub === undefined || !sub.hasDeny) return false;
    let denied = this.denyCache.get(subject);
    if (denied === undefined) {
      denied = sub.denies(subject);
      if (this.denyCache.size >= CACHE_MAX) this.denyCache.clear();
      this.denyCache.set(subject, denied);
    }
    return denied;
  }

  /** A request with reply subject `reply` was delivered to the client: it may answer it. */
  granted(reply: string, now: number): void {
    const r = this.responses;
    if (r === undefined) return;
    if (this.grants.size >= CACHE_MAX) this.pruneGrants(now);
    this.grants.set(reply, { left: r.max, expiresAt: r.expires > 0 ? now + r.expires : Number.POSITIVE_INFINITY });
  }

  private useGrant(subject: string, now: number): boolean {
    const g = this.grants.get(subject);
    if (g === undefined) return false;
    if (g.expiresAt < now || g.left <= 0) {
      this.grants.delete(subject);
      return false;
    }
    if (--g.left === 0) this.grants.delete(subject);
    return true;
  }

  private pruneGrants(now: number): void {
    for (const [k, g] of this.grants) if (g.expiresAt < now) this.grants.delete(k);
    if (this.grants.size >= CACHE_MAX) this.grants.clear();
  }

  get tracksResponses(): boolean {
    return this.responses !== undefined;
  }
}

import { NO_RESPONDERS_HEADER } from "@tsnats/protocol";
import { Sublist, type Subscription } from "@tsnats/subject";

/** What the routing core knows of a client connection. */
export interface ClientRef {
  readonly cid: number;
  readonly account: string;
  /** Deliver the client's own publishes back to it (CONNECT `echo`, default true). */
  echo: boolean;
  /** The client wants a 503 status message when its request reaches no subscriber. */
  noResponders: boolean;
}

/** Where deliveries go: the host of the core turns them into MSG/HMSG for the client's socket. */
export interface DeliverySink<C extends ClientRef> {
  /** `headerSize` -1: plain MSG; otherwise `data` starts with a header block of that size (HMSG). */
  deliver(client: C, sid: string, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): void;
}

export class ClientSubscription<C extends ClientRef> implements Subscription {
  /** Messages delivered so far; with `max` > 0 the subscription ends when they reach it (UNSUB <sid> <max>). */
  delivered = 0;
  max = 0;
  constructor(
    readonly client: C,
    readonly sid: string,
    readonly subject: string,
    readonly queue: string | undefined,
  ) {}
}

class AccountIndex<C extends ClientRef> {
  readonly sublist = new Sublist<ClientSubscription<C>>();
  constructor(readonly name: string) {}
}

interface ClientState<C extends ClientRef> {
  readonly client: C;
  readonly account: AccountIndex<C>;
  readonly subs: Map<string, ClientSubscription<C>>;
}

/**
 * Subject routing for a set of accounts: each account has its own subscription index, so subjects
 * never cross accounts. The core knows nothing of sockets or threads: it is fed client ops and emits
 * deliveries to a sink, so the same code runs in-process or inside a shard's worker thread.
 */
export class RoutingCore<C extends ClientRef> {
  private readonly accounts = new Map<string, AccountIndex<C>>();
  private readonly clients = new Map<number, ClientState<C>>();

  constructor(private readonly sink: DeliverySink<C>) {}

  private account(name: string): AccountIndex<C> {
    let acc = this.accounts.get(name);
    if (acc === undefined) {
      acc = new AccountIndex(name);
      this.accounts.set(name, acc);
    }
    return acc;
  }

  connect(client: C): void {
    this.clients.set(client.cid, { client, account: this.account(client.account), subs: new Map() });
  }

  /** Removes the client and every subscription it had. */
  disconnect(cid: number): void {
    const st = this.clients.get(cid);
    if (st === undefined) return;
    this.clients.delete(cid);
    if (st.subs.size > 0) st.account.sublist.removeBatch(st.subs.values());
  }

  /** Adds a subscription; a second SUB with a sid already in use is ignored, as nats-server does. */
  subscribe(cid: number, sid: string, subject: string, queue: string | undefined): void {
    const st = this.clients.get(cid);
    if (st === undefined || st.subs.has(sid)) return;
    const sub = new ClientSubscription(st.client, sid, subject, queue);
    st.account.sublist.insert(sub);
    st.subs.set(sid, sub);
  }

  /** UNSUB: now (max 0, or already delivered `max`), or after `max` deliveries in all. */
  unsubscribe(cid: number, sid: string, max: number): void {
    const st = this.clients.get(cid);
    const sub = st?.subs.get(sid);
    if (st === undefined || sub === undefined) return;
    if (max > 0 && sub.delivered < max) {
      sub.max = max;
      return;
    }
    this.removeSub(st, sub);
  }

  private removeSub(st: ClientState<C>, sub: ClientSubscription<C>): void {
    st.subs.delete(sub.sid);
    st.account.sublist.remove(sub);
  }

  /**
   * Routes a message published by client `cid` in its account. Returns the number of deliveries.
   * A request (with a reply subject) that reaches nobody gets a 503 when the client asked for that.
   */
  publish(cid: number, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): number {
    const st = this.clients.get(cid);
    if (st === undefined) return 0;
    const from = st.client;
    const result = st.account.sublist.match(subject);
    let n = 0;
    const psubs = result.psubs;
    for (let i = 0; i < psubs.length; i++) {
      const sub = psubs[i];
      if (sub.client === from && !from.echo) continue;
      if (this.deliverTo(sub, subject, reply, headerSize, data)) n++;
    }
    const qsubs = result.qsubs;
    for (let g = 0; g < qsubs.length; g++) {
      const sub = pickQueueMember(qsubs[g], from);
      if (sub !== undefined && this.deliverTo(sub, subject, reply, headerSize, data)) n++;
    }
    if (n === 0 && reply !== undefined && from.noResponders) this.noResponders(st, reply);
    return n;
  }

  private deliverTo(sub: ClientSubscription<C>, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): boolean {
    if (sub.max > 0 && sub.delivered >= sub.max) return false;
    sub.delivered++;
    this.sink.deliver(sub.client, sub.sid, subject, reply, headerSize, data);
    if (sub.max > 0 && sub.delivered >= sub.max) {
      const st = this.clients.get(sub.client.cid);
      if (st !== undefined) this.removeSub(st, sub);
    }
    return true;
  }

  /** Sends the requester a 503 status on its own subscription that matches the reply subject. */
  private noResponders(st: ClientState<C>, reply: string): void {
    const result = st.account.sublist.match(reply);
    for (const sub of result.psubs) {
      if (sub.client === st.client) {
        this.deliverTo(sub, reply, undefined, NO_RESPONDERS_HEADER.length, NO_RESPONDERS_HEADER);
        return;
      }
    }
  }

  /** Subscriptions of the client (for monitoring). */
  subscriptionsOf(cid: number): ClientSubscription<C>[] {
    const st = this.clients.get(cid);
    return st === undefined ? [] : [...st.subs.values()];
  }

  /** Subscription count over all accounts. */
  get subscriptionCount(): number {
    let n = 0;
    for (const acc of this.accounts.values()) n += acc.sublist.count;
    return n;
  }
}

/**
 * One member of a queue group, chosen at random (as nats-server does), skipping the publisher's own
 * subscriptions when it turned echo off, and members that already reached their delivery limit.
 */
function pickQueueMember<C extends ClientRef>(group: readonly ClientSubscription<C>[], from: C): ClientSubscription<C> | undefined {
  const n = group.length;
  const start = n === 1 ? 0 : Math.floor(Math.random() * n);
  for (let k = 0; k < n; k++) {
    const sub = group[(start + k) % n];
    if (sub.client === from && !from.echo) continue;
    if (sub.max > 0 && sub.delivered >= sub.max) continue;
    return sub;
  }
  return undefined;
}

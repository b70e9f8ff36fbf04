import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import type { AccountConfig } from "@tsnats/accounts";
import { isAckSubject } from "./ack-subject.js";
import { BatchReader, BatchWriter, decodeInterned } from "./codec.js";
import { InProcessHost, type PeerLink, type ShardHost, WorkerHost } from "./hosts.js";
import { DeliveryHints, type HintedRoute } from "./delivery-hints.js";
import { ClientFlags, In, NO_ANSWER, Out } from "./ops.js";
import { placeAccount } from "./placement.js";
import type { ShardConfig } from "./shard.js";
import type { ShardJetStreamConfig } from "./shard-jetstream.js";

/** Where the router's deliveries go: the front-end's connections. */
export interface RouterSink<H> {
  deliver(client: H, sid: string, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): void;
  /**
   * `deliver` with the reply subject as the UTF-8 bytes `src[start, end)` of a shard's batch (valid during
   * the call only): long replies are unique per message (ack subjects, inboxes), and the front-end can
   * copy them to the client without making a string of them.
   */
  deliverReplyBytes(client: H, sid: string, subject: string, src: Buffer, start: number, end: number, headerSize: number, data: Uint8Array): void;
  /** Everything `client` sent before barrier `token` was processed (and its deliveries handed over). */
  barrier(client: H, token: number): void;
  /**
   * A shard batch was handed over: write out what it produced. `moreInFlight`: answers to other batches are
   * still awaited (they may arrive in the same turn, so the writes can wait for the end of it).
   */
  batchDone(moreInFlight: boolean): void;
  /** A shard died and was restarted; its clients' subscriptions were restored. */
  shardRestarted?(shard: number, err: Error): void;
}

export interface RouterOptions {
  /** Number of shards (worker threads, or in-process shards). */
  shards: number;
  /** Run shards in the main thread instead of worker threads. */
  inProcess: boolean;
  /** Accounts pinned to a shard index. */
  pins: Record<string, number>;
  accounts: AccountConfig[];
  /** JetStream, when the server has it. */
  jetstream?: ShardJetStreamConfig;
}

/**
 * A subscription as the front-end knows it. Shards know it by `id` alone: deliveries name the id, and one
 * lookup finds the client and its sid. Kept to restore the subscription if its shard restarts.
 */
interface SubRecord<H> {
  readonly id: number;
  readonly client: ClientRecord<H>;
  readonly sid: string;
  readonly subject: string;
  readonly queue: string | undefined;
  max: number;
  delivered: number;
  /** Deliveries the shard did not count: made by the front-end from a hint, or before the shard restarted. */
  direct: number;
  /** False once the subscription is gone (a hint naming it is then out of date). */
  live: boolean;
}

interface ClientRecord<H> {
  readonly handle: H;
  readonly cid: number;
  readonly account: string;
  readonly shard: number;
  flags: number;
  readonly subs: Map<string, SubRecord<H>>;
  /** Barriers sent and not yet answered. */
  barriers: number;
  /** The delivery hints of the client's account (shared by its clients). */
  readonly hints: DeliveryHints<SubRecord<H>>;
}

/** Ops queued for a shard, and the publishes of batches it has not answered yet. */
interface ShardLink {
  host: ShardHost;
  up: boolean;
  readonly writer: BatchWriter;
  seq: number;
  /** Publishes written into the current batch: [subject, reply, headerSize, data] per Pub, flat. */
  current: unknown[];
  /** Sent batches awaiting their answer, oldest first, with their publishes. */
  readonly awaiting: Array<{ seq: number; pubs: unknown[] }>;
  /** Clients that stopped reading because this shard had too much in flight. */
  waiting: Array<() => void>;
  /** Hints in the answers up to this batch predate a routing change and are refused; -1: none. */
  hintsStaleUntil: number;
}

const WORKER_FILE = fileURLToPath(new URL("./shard-worker.js", import.meta.url));

/**
 * Replies at least this long are handed to the front-end as bytes (deliverReplyBytes): shorter ones are
 * interned strings that repeat (and the one-space BLANK_REPLY must stay a string).
 */
const REPLY_BYTES_MIN = 16;

/**
 * Batches sent to a shard and not answered yet. Past the high mark the front-end stops reading from
 * clients that publish to that shard, until the shard is back under the low mark: a slow shard (or a
 * flood) cannot make the front-end queue without bound.
 */
const IN_FLIGHT_HIGH = 64;
const IN_FLIGHT_LOW = 16;

/** Send a batch before the end of the turn once it holds this many ops or bytes. */
const BATCH_MAX_OPS = 256;
const BATCH_MAX_BYTES = 32 * 1024;

/**
 * The front-end's side of the routing core: it places each account on a shard, writes client ops into one
 * batch per shard, sends the batches once per turn (or when full), and hands the deliveries of the
 * answers to the sink. It remembers each client's subscriptions so that a shard that dies is restarted
 * with them restored. See ORDERING.md for why messages stay in order.
 */
export class Router<H> {
  private readonly links: ShardLink[] = [];
  private readonly clients = new Map<number, ClientRecord<H>>();
  /** Every live subscription by id. Ids are never reused, so a late delivery cannot reach a newer one. */
  private readonly subsById = new Map<number, SubRecord<H>>();
  /** Scratch list of a direct delivery's subscriptions. */
  private readonly picked: SubRecord<H>[] = [];
  /** Delivery hints by account. */
  private readonly hints = new Map<string, DeliveryHints<SubRecord<H>>>();
  private nextSubId = 1;
  /** Arrays of answered batches' publishes, reused: allocating and growing one per batch showed in profiles. */
  private readonly spare: unknown[][] = [];
  private nextToken = 1;
  /** How many times a shard died and was restarted. */
  restarts = 0;
  /** Messages the front-end routed itself from a delivery hint (delivered, or dropped: nobody listens); the shard never saw them. */
  hintedDeliveries = 0;
  private flushScheduled = false;
  private closed = false;

  constructor(
    private readonly opts: RouterOptions,
    private readonly sink: RouterSink<H>,
  ) {}

  get shardCount(): number {
    return this.opts.shards;
  }

  get jetstream(): ShardJetStreamConfig | undefined {
    return this.opts.jetstream;
  }

  shardOf(account: string): number {
    return placeAccount(account, this.opts.shards, this.opts.pins);
  }

  start(): void {
    const n = this.opts.shards;
    for (let i = 0; i < n; i++) {
      const events = { onBatch: (b: ArrayBuffer) => this.onBatch(i, b), onExit: (e: Error) => this.onShardExit(i, e) };
      const host = this.opts.inProcess ? new InProcessHost(events) : new WorkerHost(WORKER_FILE, events);
      this.links.push({ host, up: false, writer: this.newWriter(0), seq: 0, current: [], awaiting: [], waiting: [], hintsStaleUntil: -1 });
    }
    // Wire every pair of shards, then start them all.
    const peers: (PeerLink | undefined)[][] = Array.from({ length: n }, () => new Array<PeerLink | undefined>(n).fill(undefined));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const [a, b] = this.peerPair(i, j);
        peers[i][j] = a;
        peers[j][i] = b;
      }
    }
    for (let i = 0; i < n; i++) {
      this.links[i].host.start(this.shardConfig(i), peers[i]);
      this.links[i].up = true;
    }
  }

  /** The two ends of a connection between shards i and j (i's end first). */
  private peerPair(i: number, j: number): [PeerLink, PeerLink] {
    if (this.opts.inProcess) {
      const hi = this.links[i].host as InProcessHost;
      const hj = this.links[j].host as InProcessHost;
      return [hj.link, hi.link];
    }
    const ch = new MessageChannel();
    return [ch.port1, ch.port2];
  }

  private shardConfig(i: number): ShardConfig {
    const cfg: ShardConfig = { index: i, shardCount: this.opts.shards, accounts: this.opts.accounts, pins: this.opts.pins };
    if (this.opts.jetstream !== undefined) cfg.jetstream = this.opts.jetstream;
    return cfg;
  }

  private newWriter(seq: number): BatchWriter {
    const w = new BatchWriter();
    w.u32(seq);
    return w;
  }

  // ---- client ops ----------------------------------------------------------------------------

  /** The client joins `account` (again, when CONNECT changed its flags). */
  attach(cid: number, handle: H, account: string, echo: boolean, noResponders: boolean): void {
    const flags = (echo ? ClientFlags.Echo : 0) | (noResponders ? ClientFlags.NoResponders : 0);
    let rec = this.clients.get(cid);
    if (rec === undefined || rec.account !== account) {
      if (rec !== undefined) this.detach(cid);
      rec = { handle, cid, account, shard: this.shardOf(account), flags, subs: new Map(), barriers: 0, hints: this.hintsOf(account) };
      this.clients.set(cid, rec);
    }
    rec.flags = flags;
    this.writeAttach(rec);
    this.routingChanged(rec);
  }

  private hintsOf(account: string): DeliveryHints<SubRecord<H>> {
    let h = this.hints.get(account);
    if (h === undefined) this.hints.set(account, (h = new DeliveryHints(this.opts.jetstream?.accounts[account] !== undefined)));
    return h;
  }

  /**
   * An op just written for `rec` changes its account's routing: its delivery hints go, and hints in
   * answers up to the batch carrying the op were computed before it.
   */
  private routingChanged(rec: ClientRecord<H>): void {
    rec.hints.invalidate();
    const link = this.links[rec.shard];
    link.hintsStaleUntil = link.seq;
  }

  private writeAttach(rec: ClientRecord<H>): void {
    const w = this.opBatch(rec.shard);
    w.u8(In.Attach);
    w.u32(rec.cid);
    w.str(rec.account);
    w.u8(rec.flags);
    this.opWritten(rec.shard);
  }

  detach(cid: number): void {
    const rec = this.clients.get(cid);
    if (rec === undefined) return;
    this.clients.delete(cid);
    for (const sub of rec.subs.values()) {
      sub.live = false;
      this.subsById.delete(sub.id);
    }
    const w = this.opBatch(rec.shard);
    w.u8(In.Detach);
    w.u32(cid);
    this.opWritten(rec.shard);
    this.routingChanged(rec);
  }

  /** SUB; a second SUB with a sid already in use is ignored, as nats-server does. */
  subscribe(cid: number, sid: string, subject: string, queue: string | undefined): void {
    const rec = this.clients.get(cid);
    if (rec === undefined || rec.subs.has(sid)) return;
    const sub: SubRecord<H> = { id: this.nextSubId++, client: rec, sid, subject, queue, max: 0, delivered: 0, direct: 0, live: true };
    rec.subs.set(sid, sub);
    this.subsById.set(sub.id, sub);
    this.writeSub(sub);
    this.routingChanged(rec);
  }

  private writeSub(sub: SubRecord<H>): void {
    const rec = sub.client;
    const w = this.opBatch(rec.shard);
    w.u8(In.Sub);
    w.u32(rec.cid);
    w.u32(sub.id);
    w.str(sub.subject);
    w.optStr(sub.queue);
    this.opWritten(rec.shard);
  }

  /** UNSUB: now, or once `max` messages were delivered in all. */
  unsubscribe(cid: number, sid: string, max: number): void {
    const rec = this.clients.get(cid);
    const sub = rec?.subs.get(sid);
    if (rec === undefined || sub === undefined) return;
    if (max > 0 && sub.delivered < max) {
      sub.max = max;
      // The shard counts only what it delivered itself.
      this.writeUnsub(sub, max - sub.direct);
    } else {
      this.forget(sub);
      this.writeUnsub(sub, 0);
    }
    this.routingChanged(rec);
  }

  private forget(sub: SubRecord<H>): void {
    sub.live = false;
    sub.client.subs.delete(sub.sid);
    this.subsById.delete(sub.id);
  }

  private writeUnsub(sub: SubRecord<H>, max: number): void {
    const rec = sub.client;
    const w = this.opBatch(rec.shard);
    w.u8(In.Unsub);
    w.u32(rec.cid);
    w.u32(sub.id);
    w.u32(max);
    this.opWritten(rec.shard);
  }

  /** Routes a publish; true when it went to the shard, false when delivered from a hint (or dropped). */
  publish(cid: number, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): boolean {
    const rec = this.clients.get(cid);
    if (rec === undefined) return false;
    const link = this.links[rec.shard];
    let op: number = In.Pub;
    if (link.awaiting.length === 0 && link.writer.count === 0 && link.up) {
      // Nothing in flight to the shard, so nothing this message could overtake: a hint may deliver it here;
      // otherwise the shard is asked for hints along with routing it.
      const route = rec.hints.lookup(subject);
      if (route !== undefined && this.deliverDirect(rec, route, subject, reply, headerSize, data)) return false;
      op = In.PubHinted;
    } else if (rec.hints.nobody(subject) && !wantsNoResponders(rec, reply)) {
      // Nobody listens: dropping it overtakes nothing, in flight or not.
      this.hintedDeliveries++;
      return false;
    }
    link.writer.pub(op, cid, subject, reply, headerSize, data);
    if (isAckSubject(subject)) link.current.push(undefined, undefined, -1, undefined);
    else link.current.push(subject, reply, headerSize, data);
    this.opWritten(rec.shard);
    return true;
  }

  /**
   * Delivers a message of client `rec` where a hint says (one random member per queue group, as the shard
   * picks); a message nobody listens to is dropped here. False (nothing done) when the hint is out of date,
   * or when it leaves nobody and the publisher wants to hear so (the shard answers with no responders).
   */
  private deliverDirect(rec: ClientRecord<H>, route: HintedRoute<SubRecord<H>>, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): boolean {
    const { plain, groups } = route;
    if (!allLive(plain)) return this.stale(rec, subject);
    for (let g = 0; g < groups.length; g++) if (!allLive(groups[g])) return this.stale(rec, subject);
    const echo = (rec.flags & ClientFlags.Echo) !== 0;
    // Picked subscriptions go into a reused array, counted (setting an array's length is a runtime call).
    const picked = this.picked;
    let n = 0;
    for (let i = 0; i < plain.length; i++) if (echo || plain[i].client !== rec) picked[n++] = plain[i];
    for (let g = 0; g < groups.length; g++) {
      const members = groups[g];
      const size = members.length;
      const start = size === 1 ? 0 : Math.floor(Math.random() * size);
      for (let k = 0; k < size; k++) {
        const sub = members[(start + k) % size];
        if (!echo && sub.client === rec) continue;
        picked[n++] = sub;
        break;
      }
    }
    if (n === 0 && wantsNoResponders(rec, reply)) return false;
    this.hintedDeliveries++;
    for (let i = 0; i < n; i++) {
      const sub = picked[i];
      sub.delivered++;
      sub.direct++;
      this.sink.deliver(sub.client.handle, sub.sid, subject, reply, headerSize, data);
    }
    return true;
  }

  private stale(rec: ClientRecord<H>, subject: string): false {
    rec.hints.drop(subject);
    return false;
  }

  /**
   * Asks for a barrier: the sink's `barrier(client, token)` is called once everything this client sent
   * before was processed and its deliveries were handed over (so a PONG sent then follows them).
   */
  barrier(cid: number): number {
    const rec = this.clients.get(cid);
    const token = this.nextToken++;
    if (rec === undefined) return token;
    rec.barriers++;
    const w = this.opBatch(rec.shard);
    w.u8(In.Barrier);
    w.u32(cid);
    w.u32(token);
    this.opWritten(rec.shard);
    return token;
  }

  /** Whether some shard still owes an answer to a batch sent to it. */
  private answersAwaited(): boolean {
    for (const link of this.links) if (link.awaiting.length > 0) return true;
    return false;
  }

  /** Whether the shard of client `cid` has too much in flight (the client should stop sending). */
  congested(cid: number): boolean {
    const rec = this.clients.get(cid);
    return rec !== undefined && this.links[rec.shard].awaiting.length >= IN_FLIGHT_HIGH;
  }

  /** Calls `resume` once the shard of client `cid` is back under the low mark (or at once). */
  whenDecongested(cid: number, resume: () => void): void {
    const rec = this.clients.get(cid);
    if (rec === undefined) return resume();
    const link = this.links[rec.shard];
    if (link.awaiting.length <= IN_FLIGHT_LOW) return resume();
    link.waiting.push(resume);
  }

  private decongest(link: ShardLink): void {
    if (link.waiting.length === 0 || link.awaiting.length > IN_FLIGHT_LOW) return;
    const waiting = link.waiting;
    link.waiting = [];
    for (const resume of waiting) resume();
  }

  // ---- batching ------------------------------------------------------------------------------

  private opBatch(shard: number): BatchWriter {
    return this.links[shard].writer;
  }

  private opWritten(shard: number): void {
    const w = this.links[shard].writer;
    w.count++;
    if (w.count >= BATCH_MAX_OPS || w.length >= BATCH_MAX_BYTES) this.send(shard);
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAll);
    }
  }

  /** Sends every shard's pending batch (the front-end calls this after each read; also at the end of a turn). */
  flush(): void {
    for (let i = 0; i < this.links.length; i++) if (this.links[i].writer.count > 0) this.send(i);
  }

  private readonly flushAll = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  private send(shard: number): void {
    const link = this.links[shard];
    if (!link.up || this.closed) return; // kept until the shard is back
    const seq = link.seq;
    link.awaiting.push({ seq, pubs: link.current });
    link.current = this.spare.pop() ?? [];
    const batch = link.writer.take();
    link.seq = (seq + 1) >>> 0;
    if (link.seq === NO_ANSWER) link.seq = 0;
    link.writer.u32(link.seq);
    link.host.send(batch);
  }

  /** A batch from shard `i`: deliveries (some referring to the publishes of the batch it answers) and barriers. */
  private onBatch(i: number, batch: ArrayBuffer): void {
    const link = this.links[i];
    const r = new BatchReader(batch);
    const seq = r.u32();
    let pubs: unknown[] | undefined;
    if (seq !== NO_ANSWER) {
      // Answers come in order: the oldest awaiting batch is the one answered.
      const entry = link.awaiting.shift();
      if (entry === undefined || entry.seq !== seq) return; // a batch of a shard that has since restarted
      pubs = entry.pubs;
    }
    const sink = this.sink;
    const subs = this.subsById;
    while (!r.done) {
      const op = r.u8();
      if (op === Out.MsgRef) {
        const sub = subs.get(r.u32());
        const k = r.u32() * 4;
        if (sub === undefined || pubs === undefined || !counted(sub, this)) continue;
        sink.deliver(sub.client.handle, sub.sid, pubs[k] as string, pubs[k + 1] as string | undefined, pubs[k + 2] as number, pubs[k + 3] as Uint8Array);
      } else if (op === Out.Msg) {
        const sub = subs.get(r.u32());
        const subject = r.str();
        const replyAt = r.peekStr();
        const replyLen = r.peekLength();
        r.skipStr();
        const hdr = r.i32();
        const data = r.bytes();
        if (sub === undefined || !counted(sub, this)) continue;
        if (replyLen >= REPLY_BYTES_MIN) {
          sink.deliverReplyBytes(sub.client.handle, sub.sid, subject, r.bytesView, replyAt, replyAt + replyLen, hdr, data);
        } else {
          const reply = replyLen === 0 ? undefined : decodeInterned(r.bytesView, replyAt, replyAt + replyLen);
          sink.deliver(sub.client.handle, sub.sid, subject, reply, hdr, data);
        }
      } else if (op === Out.MsgReplyRef) {
        const sub = subs.get(r.u32());
        const k = r.u32() * 4;
        const reply = r.optStr();
        const hdr = r.i32();
        const data = r.bytes();
        if (sub === undefined || pubs === undefined || !counted(sub, this)) continue;
        sink.deliver(sub.client.handle, sub.sid, pubs[k + 1] as string, reply, hdr, data);
      } else if (op === Out.Hint) {
        this.learnHint(link, r);
      } else if (op === Out.HintsReset) {
        this.hints.get(r.str())?.invalidate();
      } else if (op === Out.Barrier) {
        const cid = r.u32();
        const token = r.u32();
        const rec = this.clients.get(cid);
        if (rec === undefined) continue;
        rec.barriers--;
        sink.barrier(rec.handle, token);
      } else {
        throw new Error(`router: unknown op ${op} from shard ${i}`);
      }
    }
    if (seq === link.hintsStaleUntil) link.hintsStaleUntil = -1;
    if (pubs !== undefined && this.spare.length < 64) {
      pubs.length = 0;
      this.spare.push(pubs);
    }
    sink.batchDone(this.answersAwaited());
    this.decongest(link);
  }

  /** An Out.Hint: kept unless stale or naming a subscription that is gone. */
  private learnHint(link: ShardLink, r: BatchReader): void {
    const cid = r.u32();
    const kind = r.u8();
    const key = r.str();
    let ok = true;
    const plain = this.readSubs(r);
    if (plain === undefined) ok = false;
    const groups: SubRecord<H>[][] = [];
    for (let g = r.u32(); g > 0; g--) {
      const members = this.readSubs(r);
      if (members === undefined || members.length === 0) ok = false;
      else groups.push(members);
    }
    if (!ok || link.hintsStaleUntil !== -1) return;
    this.clients.get(cid)?.hints.learn(kind, key, { plain: plain!, groups });
  }

  /** A count and that many subscription ids; undefined when one of them is gone. */
  private readSubs(r: BatchReader): SubRecord<H>[] | undefined {
    const n = r.u32();
    const subs: SubRecord<H>[] = [];
    let ok = true;
    for (let k = 0; k < n; k++) {
      const sub = this.subsById.get(r.u32());
      if (sub === undefined) ok = false;
      else subs.push(sub);
    }
    return ok ? subs : undefined;
  }

  /** Counts a delivery to a subscription with a limit; false when the limit was already reached. */
  countLimited(sub: SubRecord<H>): boolean {
    if (sub.delivered >= sub.max) return false;
    if (++sub.delivered >= sub.max) this.forget(sub);
    return true;
  }

  // ---- shard failure -------------------------------------------------------------------------

  /**
   * Shard `i` died: messages in flight to and from it are lost (core NATS is at-most-once), but its
   * clients are not: the shard is restarted and every client's attachment and subscriptions are replayed
   * to it before anything else, and their outstanding barriers are answered so no PONG hangs.
   */
  private onShardExit(i: number, err: Error): void {
    if (this.closed) return;
    this.restarts++;
    const link = this.links[i];
    link.up = false;
    link.awaiting.length = 0;
    link.hintsStaleUntil = -1;
    this.decongest(link);
    // Ops written for the dead shard are replaced by the replay (they are part of the remembered state).
    link.writer.reset();
    link.writer.u32(link.seq);
    link.current = [];
    const peers: (PeerLink | undefined)[] = new Array<PeerLink | undefined>(this.links.length).fill(undefined);
    for (let j = 0; j < this.links.length; j++) {
      if (j === i) continue;
      const [mine, theirs] = this.peerPair(i, j);
      peers[j] = mine;
      this.links[j].host.setPeer(i, theirs);
    }
    link.host.start(this.shardConfig(i), peers);
    link.up = true;
    for (const rec of this.clients.values()) {
      if (rec.shard !== i) continue;
      rec.hints.invalidate();
      this.writeAttach(rec);
      for (const sub of rec.subs.values()) {
        // The new shard counts from zero.
        sub.direct = sub.delivered;
        this.writeSub(sub);
        if (sub.max > 0) this.writeUnsub(sub, sub.max - sub.delivered);
      }
      for (; rec.barriers > 0; rec.barriers--) this.sink.barrier(rec.handle, 0);
    }
    this.flush();
    this.sink.batchDone(false);
    this.sink.shardRestarted?.(i, err);
  }

  /** Subjects of a client's subscriptions (monitoring). */
  subscriptionsOf(cid: number): string[] {
    const rec = this.clients.get(cid);
    return rec === undefined ? [] : [...rec.subs.values()].map((s) => s.subject);
  }

  get subscriptionCount(): number {
    let n = 0;
    for (const rec of this.clients.values()) n += rec.subs.size;
    return n;
  }

  /** Test hook: make shard `i` die as from a crash. */
  crashShard(i: number): void {
    this.links[i].host.crash();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.links.map((l) => l.host.close()));
  }
}

/** A request whose publisher wants a no-responders status when nobody gets it (the shard answers that). */
function wantsNoResponders<H>(rec: ClientRecord<H>, reply: string | undefined): boolean {
  return reply !== undefined && (rec.flags & ClientFlags.NoResponders) !== 0;
}

/** Whether every subscription a hint names is still there, without a delivery limit. */
function allLive<H>(subs: readonly SubRecord<H>[]): boolean {
  for (let i = 0; i < subs.length; i++) if (!subs[i].live || subs[i].max !== 0) return false;
  return true;
}

/** Deliveries to subscriptions without a limit need no bookkeeping; limited ones are counted. */
function counted<H>(sub: SubRecord<H>, router: Router<H>): boolean {
  return sub.max === 0 ? (sub.delivered++, true) : router.countLimited(sub);
}

import { type AccountConfig, type ResponseType, serviceImportSubject, streamImportSubject } from "@tsnats/accounts";
import { BLANK_REPLY, NO_RESPONDERS_HEADER, REQUEST_INFO_HEADER, addHeaderLine, headerLine, randomBase62 } from "@tsnats/protocol";
import { type MatchResult, type Sublist, type Subscription, subjectsCollide } from "@tsnats/subject";
import { type AccountState, type InternalHandler, LocalSub, type ResponseMapping, type ShardClient, buildAccountStates } from "./account-state.js";
import { type AckTarget, isAckSubject, parseAckSubject } from "./ack-subject.js";
import { BatchReader, BatchWriter } from "./codec.js";
import { ClientFlags, In, NO_ANSWER, Out, Peer, PeerKind } from "./ops.js";
import { placeAccount } from "./placement.js";
import { type ShardJetStreamConfig, headersOf, openAccountJetStream, payloadOf, routeToJetStream } from "./shard-jetstream.js";
import { writeHints } from "./shard-hints.js";
import { ShardResources } from "./shard-resources.js";
import { exporterSubject } from "./import-interest.js";
import { HeldBarriers } from "./held-barriers.js";

/** Where a shard's batches go. Implemented by its host (worker thread ports, or in-process calls). */
export interface ShardIO {
  toMain(batch: ArrayBuffer): void;
  toPeer(shard: number, batch: ArrayBuffer): void;
}

/** What a shard is told at start; plain data, so it can cross into a worker thread. */
export interface ShardConfig {
  index: number;
  shardCount: number;
  accounts: AccountConfig[];
  /** Accounts pinned to a shard; the others are placed by hash. */
  pins: Record<string, number>;
  /** JetStream, when the server has it. */
  jetstream?: ShardJetStreamConfig;
}

/** Messages that went through more imports than this are dropped: a loop guard beyond config validation. */
const MAX_HOPS = 16;
/** Where ackFast reads an ack subject's parts (one shard thread: one scratch object). */
const ACK: AckTarget = { stream: "", consumer: "", sseq: 0 };
const ACK_SUBJECT_START = "$JS.ACK.";
/** `$JS.ACK.` and seven one-byte tokens with their dots. */
const ACK_MIN = 8 + 13;

/** Where a message came from, for echo suppression, no-responders, loop cuts and batch references. */
interface Origin {
  /** The publishing client, when a client of this account published it. */
  readonly client: ShardClient | undefined;
  /** Imports crossed so far. */
  readonly hops: number;
  /** Index of the Pub in the main batch being answered (deliveries may refer to it), or -1. */
  readonly ref: number;
  /**
   * Index of the Pub in the main batch being answered whose reply subject this message is published on
   * (its PubAck), or -1: deliveries then name their subject by that index instead of carrying it.
   */
  readonly replyOf: number;
  /** The account it came from through an import, if it did. */
  readonly from: string | undefined;
  /** It entered this account through a service import (it is a request to one of its services). */
  readonly viaService: boolean;
  /**
   * It entered this account through a stream import: like nats-server (whose stream imports are shadow
   * subscriptions of the importer's subscriptions), it reaches the account's subscribers and JetStream
   * streams, and goes no further (no service import, no stream export of the importer).
   */
  readonly viaStream: boolean;
  /**
   * The subject deliveries show, when it is not the one routed on: JetStream delivers a stream's message
   * to a deliver subject or a pull request's inbox, but the MSG carries the message's own subject. It
   * travels with the message across imports and response mappings.
   */
  readonly shown: string | undefined;
  /**
   * The subject will not come again (a requester's reply subject): matched without the caches. Every
   * Origin has every field, in the same order: route() is hot, and objects of one shape keep it fast.
   */
  readonly once: boolean;
}

const NO_REF = -1;
/**
 * References to a Pub that JetStream keeps until it answers it (routeToJetStream's `replyOf`): the number of
 * the main batch it came in times REF_SPAN, plus its index there. Only while that batch is being answered
 * does a reference name a Pub the front-end still holds.
 */
const REF_SPAN = 2 ** 20;
const BATCH_NUMBERS = 2 ** 30;
/** refBase outside a main batch: no reference falls within REF_SPAN of it. */
const NO_BATCH = -(2 ** 52);

/** Messages the server publishes itself (JetStream replies). */
const INTERNAL: Origin = { client: undefined, hops: 0, ref: NO_REF, replyOf: NO_REF, from: undefined, viaService: false, viaStream: false, shown: undefined, once: false };
const INTERNAL_ONCE: Origin = { client: undefined, hops: 0, ref: NO_REF, replyOf: NO_REF, from: undefined, viaService: false, viaStream: false, shown: undefined, once: true };

function imported(from: string, hops: number, viaService: boolean, shown: string | undefined, viaStream = false): Origin {
  return { client: undefined, hops, ref: NO_REF, replyOf: NO_REF, from, viaService, viaStream, shown, once: false };
}

/**
 * A shard of the routing core: it owns some accounts and routes every message published in them —
 * to local subscribers, across service imports (with response mappings) and stream exports — emitting
 * deliveries to the front-end and messages for accounts of other shards, each in one batch per input
 * batch. It never touches a socket and never knows which thread it runs in.
 */
export class Shard {
  private readonly accounts: Map<string, AccountState>;
  private readonly clients = new Map<number, ShardClient>();
  private readonly toMain = new BatchWriter();
  private readonly toPeers: BatchWriter[];
  private readonly barriers = new HeldBarriers();
  /** The `Nats-Request-Info` header line of requests from each importing account, encoded once. */
  private readonly requestInfo = new Map<string, Buffer>();
  /**
   * Per shard: whether its current import interest is here (it sent an InterestReset or InterestRestate
   * since this shard started). Until then its importers get every exported message, as if they listened:
   * this shard or that one just (re)started, and the interest is on its way.
   */
  private readonly interestKnown: boolean[];
  private readonly place: (account: string) => number;

  constructor(
    private readonly cfg: ShardConfig,
    private readonly io: ShardIO,
  ) {
    this.place = (a) => placeAccount(a, cfg.shardCount, cfg.pins);
    this.accounts = buildAccountStates(cfg.accounts, this.place, cfg.index, () => randomBase62(6));
    this.toPeers = Array.from({ length: cfg.shardCount }, () => new BatchWriter());
    this.interestKnown = Array.from({ length: cfg.shardCount }, (_, i) => i === cfg.index);
    // A shard that restarts registers its clients' import interest again: peers forget the old first.
    for (let i = 0; i < cfg.shardCount; i++) {
      if (i === cfg.index) continue;
      this.toPeers[i].u8(Peer.InterestReset);
      this.toPeers[i].u32(cfg.index);
      this.toPeers[i].count++;
    }
    const jsCfg = cfg.jetstream;
    if (jsCfg !== undefined) {
      if (jsCfg.maxMemory > 0 || jsCfg.maxStore > 0) {
        this.resources = new ShardResources(cfg.index, cfg.shardCount, jsCfg.maxMemory, jsCfg.maxStore, () => this.reservedBytes());
      }
      for (const acc of this.accounts.values()) this.openJetStream(acc, jsCfg);
    }
    this.standingInterest(-1);
    this.started = true;
  }

  /** Set once constructed: before, the front-end holds no hints for this shard's accounts. */
  private started = false;

  /**
   * Something besides client subscriptions changed how `acc` routes (a stream's subjects, a server
   * subscription): the front-end drops the account's delivery hints, before any later output reaches it.
   */
  private hintsReset(acc: AccountState): void {
    if (!this.started) return;
    this.openOutput();
    this.toMain.u8(Out.HintsReset);
    this.toMain.str(acc.name);
    this.toMain.count++;
  }

  /** Output produced outside any batch (timers) gets a batch of its own that answers nothing. */
  private openOutput(): void {
    if (this.inBatch || this.outputOpen) return;
    this.toMain.u32(NO_ANSWER);
    this.outputOpen = true;
    this.scheduleOutput();
  }

  /** The server-wide JetStream limits, when the server has them. */
  private readonly resources: ShardResources | undefined;

  private reservedBytes(): [number, number] {
    let mem = 0;
    let file = 0;
    for (const acc of this.accounts.values()) {
      if (acc.js === undefined) continue;
      mem += acc.js.reserved(true);
      file += acc.js.reserved(false);
    }
    return [mem, file];
  }

  private openJetStream(acc: AccountState, jsCfg: ShardJetStreamConfig): void {
    acc.js = openAccountJetStream(
      jsCfg,
      acc.name,
      (subject, reply, headers, data, shown, once, replyOf) => this.publishInternal(acc, subject, reply, headers, data, shown, once, replyOf),
      (subject, queue) => this.hasInterest(acc, subject, queue),
      (subject, handler) => this.subscribeInternal(acc, subject, handler),
      () => this.hintsReset(acc),
      this.resources,
    );
  }

  /** Each account's own client for the server's subscriptions in it (by account name). */
  private readonly internalClients = new Map<string, ShardClient>();
  private nextInternalSub = 1;

  /**
   * A subscription of the server in `acc` (JetStream's deliver and reply subjects when it sources streams):
   * an ordinary entry of the account's index, so it is interest like any other (across imports too).
   */
  private subscribeInternal(acc: AccountState, subject: string, handler: InternalHandler): () => void {
    let c = this.internalClients.get(acc.name);
    if (c === undefined) {
      c = { cid: -1, account: acc, echo: true, noResponders: false, subs: new Map() };
      this.internalClients.set(acc.name, c);
    }
    const client = c;
    const id = this.nextInternalSub++;
    const sub = new LocalSub(client, id, subject, undefined, handler);
    acc.sublist.insert(sub);
    this.hintsReset(acc);
    client.subs.set(id, sub);
    acc.js?.interestChanged(subject);
    if (acc.streamImports.length > 0) this.importInterest(sub, 1);
    return () => {
      if (!client.subs.delete(id)) return;
      acc.sublist.remove(sub);
      if (sub.importInterest) this.importInterest(sub, -1);
    };
  }

  /**
   * Whether a message on `subject` in `acc` would reach anyone (push consumers deliver only then, pull
   * requests whose requester left are dropped): a subscriber, a pending service reply, or a subscriber of
   * another account listening through a stream import (the interest its shard reported). With `queue`,
   * only members of that queue group count (a push consumer's deliver_group).
   */
  private hasInterest(acc: AccountState, subject: string, queue?: string): boolean {
    if (acc.responses.size > 0 && acc.responses.has(subject)) return true;
    if (queue !== undefined) {
      for (const group of acc.sublist.match(subject).qsubs) if (group.length > 0 && group[0].queue === queue) return true;
    } else if (acc.sublist.hasInterest(subject)) {
      return true;
    }
    return acc.remoteInterest.has(subject, queue);
  }

  /**
   * A message the server itself publishes in an account (JetStream replies and deliveries): routed like
   * any other, on `subject`, showing `shown` when given. `replyOf`: the reference of the Pub whose reply
   * subject `subject` is (a PubAck), when JetStream kept one.
   */
  private publishInternal(acc: AccountState, subject: string, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array, shown?: string, once = false, replyOf = NO_REF): void {
    let hdr = -1;
    let bytes = data;
    if (headers !== undefined) {
      hdr = headers.length;
      if (headers.buffer === data.buffer && headers.byteOffset + hdr === data.byteOffset) {
        // Both parts of a stored message: already side by side (JetStream deliveries).
        bytes = new Uint8Array(data.buffer, headers.byteOffset, hdr + data.length);
      } else {
        bytes = new Uint8Array(headers.length + data.length);
        bytes.set(headers, 0);
        bytes.set(data, headers.length);
      }
    }
    this.openOutput();
    // A PubAck of a Pub in the batch being answered: its deliveries name the Pub instead of the subject,
    // which the front-end holds as it parsed it (no string written here, none decoded there).
    const k = replyOf - this.refBase;
    let origin: Origin;
    if (shown === undefined && k >= 0 && k < REF_SPAN) origin = { client: undefined, hops: 0, ref: NO_REF, replyOf: k, from: undefined, viaService: false, viaStream: false, shown: undefined, once };
    else origin = shown === undefined ? (once ? INTERNAL_ONCE : INTERNAL) : { client: undefined, hops: 0, ref: NO_REF, replyOf: NO_REF, from: undefined, viaService: false, viaStream: false, shown, once };
    this.route(acc, subject, reply, hdr, bytes, origin);
  }

  /** True while a batch is being processed (its output is sent at the end of it). */
  private inBatch = false;
  /** The main batch being answered, as numbered for Pub references (see REF_SPAN), and its first reference. */
  private batchNumber = 0;
  private refBase = NO_BATCH;
  private outputOpen = false;

  /** Output produced outside a batch (timers) goes out at the end of the current tick. */
  private scheduleOutput(): void {
    queueMicrotask(() => {
      this.inBatch = true;
      this.commitJetStream();
      this.inBatch = false;
      this.outputOpen = false;
      if (this.toMain.count > 0) this.io.toMain(this.toMain.take());
      else this.toMain.reset();
      this.flushPeers();
    });
  }

  /**
   * Makes the JetStream writes of this batch durable (one commit per account), then lets the replies
   * that waited for it go out. Replies can cause more writes (rarely), hence the loop.
   */
  private commitJetStream(): void {
    for (let round = 0; round < 4; round++) {
      let any = false;
      for (const acc of this.accounts.values()) {
        if (acc.js !== undefined && acc.js.hasWork) {
          any = true;
          acc.js.commit();
        }
      }
      if (!any) return;
    }
  }

  get index(): number {
    return this.cfg.index;
  }

  private get jetstreamOn(): boolean {
    return this.cfg.jetstream !== undefined;
  }

  /** Closes the accounts' stores (the shard is stopping). */
  close(): void {
    for (const acc of this.accounts.values()) {
      acc.js?.commit();
      acc.js?.close();
    }
  }

  // ---- input ---------------------------------------------------------------------------------

  /**
   * The origin of a client's Pub, filled in for each one: route() reads an origin and keeps nothing of it,
   * and Pubs are routed one at a time, so one object serves them all (an object per Pub was ~90 bytes of
   * garbage per message).
   */
  private readonly pubOrigin: { -readonly [K in keyof Origin]: Origin[K] } = {
    client: undefined,
    hops: 0,
    ref: NO_REF,
    replyOf: NO_REF,
    from: undefined,
    viaService: false,
    viaStream: false,
    shown: undefined,
    once: false,
  };

  /** A batch of client ops from the front-end; answered with exactly one batch. */
  handleMain(batch: ArrayBuffer): void {
    const r = new BatchReader(batch);
    const seq = r.u32();
    this.inBatch = true;
    this.toMain.u32(seq);
    this.batchNumber = (this.batchNumber + 1) % BATCH_NUMBERS;
    this.refBase = this.batchNumber * REF_SPAN;
    let pubIndex = 0;
    while (!r.done) {
      const op = r.u8();
      switch (op) {
        case In.Pub:
        case In.PubHinted: {
          const cid = r.u32();
          if (this.ackFast(r, cid, op)) {
            pubIndex++;
            break;
          }
          const subject = r.str();
          const reply = r.optStr();
          const hdr = r.i32();
          const data = r.bytes();
          const client = this.clients.get(cid);
          if (client !== undefined) {
            // An ack is not kept by the front-end (see isAckSubject): its deliveries carry a copy.
            const origin = this.pubOrigin;
            origin.client = client;
            origin.ref = isAckSubject(subject) ? NO_REF : pubIndex;
            this.route(client.account, subject, reply, hdr, data, origin);
            origin.client = undefined;
            if (op === In.PubHinted) writeHints(this.toMain, cid, client.account, subject, reply);
          }
          pubIndex++;
          break;
        }
        case In.Sub: {
          const cid = r.u32();
          const id = r.u32();
          const subject = r.str();
          const queue = r.optStr();
          this.subscribe(cid, id, subject, queue);
          break;
        }
        case In.Unsub: {
          const cid = r.u32();
          const id = r.u32();
          this.unsubscribe(cid, id, r.u32());
          break;
        }
        case In.Attach: {
          const cid = r.u32();
          const account = r.str();
          this.attach(cid, account, r.u8());
          break;
        }
        case In.Detach:
          this.detach(r.u32());
          break;
        case In.Barrier: {
          const cid = r.u32();
          const token = r.u32();
          const b = this.barriers.arrive(cid, token);
          for (const shard of b.ask) {
            const w = this.toPeers[shard];
            w.u8(Peer.Confirm);
            w.u32(this.cfg.index);
            w.u32(b.round);
            w.count++;
          }
          if (b.answerNow) this.answerBarrier(cid, token);
          break;
        }
        default:
          throw new Error(`shard ${this.cfg.index}: unknown op ${op} from the front-end`);
      }
    }
    this.commitJetStream();
    this.inBatch = false;
    this.refBase = NO_BATCH;
    this.io.toMain(this.toMain.take());
    this.flushPeers();
  }

  /**
   * A client's JetStream ack (`$JS.ACK.…`, the reader at its subject), applied without a string of the
   * subject or a route, when routing it could do nothing else: the account has the consumer, nothing
   * subscribed can match a `$JS.` subject, and no import or export maps it. Otherwise (false, the reader
   * where it was) the publish takes the ordinary route.
   */
  private ackFast(r: BatchReader, cid: number, op: number): boolean {
    const start = r.peekStr();
    const len = r.peekLength();
    const buf = r.bytesView;
    if (len < ACK_MIN || buf[start] !== 0x24 || buf[start + 4] !== 0x41 /* A of ACK */) return false;
    const acc = this.clients.get(cid)?.account;
    const js = acc?.js;
    if (acc === undefined || js === undefined) return false;
    // Nothing but the consumer may want it: no subscription, service import or stream export that could
    // match a `$JS.` subject (an account that exports its deliver subjects keeps the fast path).
    if (!acc.sublist.firstTokenFree("$JS") || !acc.serviceImports.firstTokenFree("$JS") || !acc.streamExports.firstTokenFree("$JS")) return false;
    if (!parseAckSubject(buf, start, start + len, ACK)) return false;
    const at = r.pos;
    r.skipStr();
    const reply = r.optStr();
    const hdr = r.i32();
    const data = r.bytes();
    if (!js.ackConsumer(ACK.stream, ACK.consumer, ACK.sseq, payloadOf(data, hdr), reply)) {
      r.pos = at;
      return false;
    }
    // No hint for a `$` subject; the reply (an ack waiting for its confirmation) may get one.
    if (op === In.PubHinted) writeHints(this.toMain, cid, acc, ACK_SUBJECT_START, reply);
    return true;
  }

  /** A batch from another shard: messages entering this shard's accounts through imports. */
  handlePeer(batch: ArrayBuffer): void {
    const r = new BatchReader(batch); // shard-to-shard batches have no header word
    this.inBatch = true;
    this.toMain.u32(NO_ANSWER);
    while (!r.done) {
      const op = r.u8();
      if (op === Peer.Usage) {
        this.resources?.readPeer(r);
        continue;
      }
      if (op === Peer.Interest) {
        const from = r.u32();
        const account = r.str();
        const subject = r.str();
        const queue = r.optStr();
        this.interestArrived(from, account, subject, queue, r.i32());
        continue;
      }
      if (op === Peer.InterestReset || op === Peer.InterestRestate) {
        const from = r.u32();
        for (const acc of this.accounts.values()) acc.remoteInterest.dropFrom(from);
        this.interestKnown[from] = true;
        if (op === Peer.InterestReset) {
          // The peer restarted: what this shard reported to it is gone, and its confirmations will not come.
          for (const b of this.barriers.reset()) this.answerBarrier(b.cid, b.token);
          this.restateInterest(from);
        }
        continue;
      }
      if (op === Peer.Confirm) {
        const from = r.u32();
        const w = this.toPeers[from];
        w.u8(Peer.Confirmed);
        w.u32(r.u32());
        w.count++;
        continue;
      }
      if (op === Peer.Confirmed) {
        for (const b of this.barriers.confirmed(r.u32())) this.answerBarrier(b.cid, b.token);
        continue;
      }
      if (op !== Peer.Pub) throw new Error(`shard ${this.cfg.index}: unknown op ${op} from a peer`);
      const account = r.str();
      const subject = r.str();
      const reply = r.optStr();
      const hdr = r.i32();
      const hops = r.u8();
      const kind = r.u8();
      const from = r.str();
      const shown = r.optStr();
      if (kind === PeerKind.Request) {
        const responseType = r.str() as ResponseType;
        const threshold = r.f64();
        const data = r.bytes();
        this.serviceRequest(account, subject, reply, hdr, data, hops, from, responseType, threshold);
      } else {
        const data = r.bytes();
        const acc = this.accounts.get(account);
        if (acc !== undefined) this.route(acc, subject, reply, hdr, data, imported(from, hops, false, shown, kind === PeerKind.Stream));
      }
    }
    this.commitJetStream();
    this.inBatch = false;
    if (this.toMain.count > 0) this.io.toMain(this.toMain.take());
    else this.toMain.reset();
    this.flushPeers();
  }

  private flushPeers(): void {
    this.resources?.broadcast(this.toPeers);
    for (let i = 0; i < this.toPeers.length; i++) {
      const w = this.toPeers[i];
      if (w.count > 0) this.io.toPeer(i, w.take());
    }
  }

  // ---- clients and subscriptions --------------------------------------------------------------

  private attach(cid: number, account: string, flags: number): void {
    const existing = this.clients.get(cid);
    if (existing !== undefined && existing.account.name === account) {
      existing.echo = (flags & ClientFlags.Echo) !== 0;
      existing.noResponders = (flags & ClientFlags.NoResponders) !== 0;
      return;
    }
    if (existing !== undefined) this.detach(cid);
    let acc = this.accounts.get(account);
    if (acc === undefined) {
      // Not in the config (e.g. $G without accounts): a plain account without imports or exports.
      const states = buildAccountStates([{ name: account, users: [], exports: [], imports: [] }], () => this.cfg.index, this.cfg.index, () => randomBase62(6));
      acc = states.get(account)!;
      this.accounts.set(account, acc);
    }
    this.clients.set(cid, {
      cid,
      account: acc,
      echo: (flags & ClientFlags.Echo) !== 0,
      noResponders: (flags & ClientFlags.NoResponders) !== 0,
      subs: new Map(),
    });
  }

  private detach(cid: number): void {
    const c = this.clients.get(cid);
    if (c === undefined) return;
    this.clients.delete(cid);
    if (c.subs.size > 0) {
      c.account.sublist.removeBatch(c.subs.values());
      for (const sub of c.subs.values()) if (sub.importInterest) this.importInterest(sub, -1);
    }
  }

  private subscribe(cid: number, id: number, subject: string, queue: string | undefined): void {
    const c = this.clients.get(cid);
    if (c === undefined || c.subs.has(id)) return;
    const sub = new LocalSub(c, id, subject, queue);
    c.account.sublist.insert(sub);
    c.subs.set(id, sub);
    c.account.js?.interestChanged(subject);
    if (c.account.streamImports.length > 0) this.importInterest(sub, 1);
  }

  private unsubscribe(cid: number, id: number, max: number): void {
    const c = this.clients.get(cid);
    const sub = c?.subs.get(id);
    if (c === undefined || sub === undefined) return;
    if (max > 0 && sub.delivered < max) {
      sub.max = max;
      return;
    }
    c.subs.delete(id);
    c.account.sublist.remove(sub);
    if (sub.importInterest) this.importInterest(sub, -1);
  }

  // ---- interest across stream imports ---------------------------------------------------------

  /** Tells the exporters of the stream imports `sub` listens through that it came (1) or went (-1). */
  private importInterest(sub: LocalSub, delta: number, onlyShard = -1): void {
    for (const si of sub.client.account.streamImports) {
      const subject = exporterSubject(si, sub.subject);
      if (subject === undefined) continue;
      sub.importInterest = true;
      this.sendInterest(si.exporter, subject, sub.queue, delta, onlyShard);
    }
  }

  private sendInterest(exporter: string, subject: string, queue: string | undefined, delta: number, onlyShard: number): void {
    const shard = this.place(exporter);
    if (onlyShard >= 0 && shard !== onlyShard) return;
    if (shard === this.cfg.index) {
      this.interestArrived(this.cfg.index, exporter, subject, queue, delta);
      return;
    }
    const w = this.toPeers[shard];
    w.u8(Peer.Interest);
    w.u32(this.cfg.index);
    w.str(exporter);
    w.str(subject);
    w.optStr(queue);
    w.i32(delta);
    w.count++;
    this.barriers.reported(shard);
  }

  /**
   * Interest that lasts as long as the account: an importer with JetStream listens to all of each import
   * (its streams may capture imported subjects, and a stream is no subscription). Sent at start, and again
   * to a peer that restarted (`onlyShard`).
   */
  private standingInterest(onlyShard: number): void {
    for (const acc of this.accounts.values()) {
      for (const si of acc.streamImports) {
        const all = acc.js !== undefined || (this.jetstreamOn && subjectsCollide(si.local, "$JS.API.>"));
        if (all) this.sendInterest(si.exporter, si.imp.subject, undefined, 1, onlyShard);
      }
    }
  }

  /** Peer `shard` restarted: it learns again all the interest this shard had reported to it. */
  private restateInterest(shard: number): void {
    const w = this.toPeers[shard];
    w.u8(Peer.InterestRestate);
    w.u32(this.cfg.index);
    w.count++;
    this.standingInterest(shard);
    for (const c of this.clients.values()) for (const sub of c.subs.values()) if (sub.importInterest) this.importInterest(sub, 1, shard);
    for (const c of this.internalClients.values()) for (const sub of c.subs.values()) if (sub.importInterest) this.importInterest(sub, 1, shard);
  }

  /** Answers a barrier: everything its client sent before was processed, its deliveries precede this. */
  private answerBarrier(cid: number, token: number): void {
    this.toMain.u8(Out.Barrier);
    this.toMain.u32(cid);
    this.toMain.u32(token);
    this.toMain.count++;
  }

  private interestArrived(from: number, account: string, subject: string, queue: string | undefined, delta: number): void {
    const acc = this.accounts.get(account);
    if (acc === undefined) return;
    acc.remoteInterest.change(from, subject, queue, delta);
    if (delta > 0) acc.js?.interestChanged(subject);
  }

  // ---- routing -------------------------------------------------------------------------------

  /**
   * Routes a message in `acc`: through a response mapping, to local subscribers, across service imports
   * (requests) and to stream importers. Returns how many places it went (for no-responders).
   *
   * Loops are cut as nats-server cuts them: a request that entered through a service import does not go
   * on to stream importers, and a message that entered through a stream import goes no further than the
   * account's subscribers and streams (so a self-import goes round once). Config validation refuses real
   * cycles; the hop limit is the last guard.
   */
  private route(acc: AccountState, subject: string, reply: string | undefined, hdr: number, data: Uint8Array, origin: Origin): number {
    if (origin.hops > MAX_HOPS) return 0;
    let n = 0;
    // A blank reply travels to subscribers as written, but nobody can answer it.
    const answerable = reply === BLANK_REPLY ? undefined : reply;
    if (acc.responses.size > 0 && subject.startsWith("_R_.")) {
      const m = acc.responses.get(subject);
      if (m !== undefined) {
        this.respond(acc, subject, m, reply, hdr, data, origin.hops + 1, origin.shown);
        n++;
      }
    }
    // Ack subjects are unique per delivery, and requesters' reply subjects per request: caching them would
    // only evict the subjects that repeat.
    const ack = isAckSubject(subject);
    const once = origin.once || ack;
    if (acc.js !== undefined || this.jetstreamOn) {
      const took = routeToJetStream(
        acc.js,
        this.jetstreamOn,
        subject,
        answerable,
        hdr,
        data,
        (acc.replyNotEnabled ??= (r, body) => this.publishInternal(acc, r, undefined, undefined, Buffer.from(JSON.stringify(body)), undefined, true)),
        once,
        origin.ref === NO_REF ? NO_REF : this.refBase + origin.ref,
      );
      if (took) n++;
    }
    // A reply subject's siblings (the requester's next replies) route alike: matchSibling remembers them.
    const result = origin.once ? acc.sublist.matchSibling(subject) : ack ? acc.sublist.matchOnce(subject) : acc.sublist.match(subject);
    const from = origin.client;
    const shown = origin.shown ?? subject;
    const psubs = result.psubs;
    for (let i = 0; i < psubs.length; i++) {
      const sub = psubs[i];
      if (from !== undefined && sub.client === from && !from.echo) continue;
      if (this.deliver(sub, shown, reply, hdr, data, origin.ref, origin.replyOf)) n++;
    }
    const qsubs = result.qsubs;
    for (let g = 0; g < qsubs.length; g++) {
      const sub = pickQueueMember(qsubs[g], from);
      if (sub !== undefined && this.deliver(sub, shown, reply, hdr, data, origin.ref, origin.replyOf)) n++;
    }
    if (acc.serviceImports.count > 0 && !origin.viaStream && !(origin.viaService && origin.from === acc.name) && !acc.serviceImports.firstTokenMisses(subject)) {
      for (const si of otherMatch(acc.serviceImports, subject, once).psubs) {
        this.request(si.exporter, serviceImportSubject(si.imp, subject), answerable, hdr, data, origin.hops + 1, acc.name, si.responseType, si.responseThreshold);
        n++;
      }
    }
    if (acc.streamExports.count > 0 && !origin.viaService && !origin.viaStream && !acc.streamExports.firstTokenMisses(subject)) {
      // Importers get it only while one of them listens (crossing to another shard costs a few µs per
      // message; see HeldBarriers for how a subscribe-then-flush still sees every later message). It counts
      // as delivered either way, as nats-server's stream import subscription does.
      let listens: boolean | undefined;
      for (const se of otherMatch(acc.streamExports, subject, once).psubs) {
        n++;
        if (!(listens ??= acc.remoteInterest.has(subject)) && this.interestKnown[se.importerShard]) continue;
        this.forward(se.importer, streamImportSubject(se.imp, subject), reply, hdr, data, origin.hops + 1, acc.name, origin.shown, true);
      }
    }
    if (n === 0 && reply !== undefined && from !== undefined && from.noResponders) this.noResponders(from, reply);
    return n;
  }

  /**
   * A reply to a request that came through a service import goes back to the requester's account, on its
   * own reply subject. A singleton mapping ends with the first reply; stream and chunked ones with an
   * empty, header-less reply (the end marker), else when no reply came for their threshold.
   */
  private respond(acc: AccountState, subject: string, m: ResponseMapping, reply: string | undefined, hdr: number, data: Uint8Array, hops: number, shown: string | undefined): void {
    if (m.responseType === "singleton" || (data.length === 0 && hdr < 0)) acc.responses.delete(subject);
    else if (m.responseType === "stream") m.expiresAt = Date.now() + m.threshold;
    this.forward(m.importer, m.reply, reply, hdr, data, hops, acc.name, shown);
  }

  private deliver(sub: LocalSub, subject: string, reply: string | undefined, hdr: number, data: Uint8Array, ref: number, replyOf = NO_REF): boolean {
    if (sub.max > 0 && sub.delivered >= sub.max) return false;
    sub.delivered++;
    if (sub.handler !== undefined) {
      sub.handler(subject, reply === BLANK_REPLY ? undefined : reply, headersOf(data, hdr), payloadOf(data, hdr));
      return true;
    }
    const w = this.toMain;
    if (ref >= 0) {
      w.u8(Out.MsgRef);
      w.u32(sub.id);
      w.u32(ref);
    } else {
      // A PubAck names its subject by the Pub it answers (MsgReplyRef); otherwise the subject is written.
      w.u8(replyOf >= 0 ? Out.MsgReplyRef : Out.Msg);
      w.u32(sub.id);
      if (replyOf >= 0) w.u32(replyOf);
      else w.str(subject);
      w.optStr(reply);
      w.i32(hdr);
      w.bytes(data);
    }
    w.count++;
    if (sub.max > 0 && sub.delivered >= sub.max) {
      sub.client.subs.delete(sub.id);
      sub.client.account.sublist.remove(sub);
      if (sub.importInterest) this.importInterest(sub, -1);
    }
    return true;
  }

  /** A 503 status on the requester's own subscription that matches its reply subject. */
  private noResponders(client: ShardClient, reply: string): void {
    for (const sub of client.account.sublist.match(reply).psubs) {
      if (sub.client === client) {
        this.deliver(sub, reply, undefined, NO_RESPONDERS_HEADER.length, NO_RESPONDERS_HEADER, NO_REF);
        return;
      }
    }
  }

  /** A message for `account` (a stream import's delivery when `stream`, else a response): here, or on its shard. */
  private forward(account: string, subject: string, reply: string | undefined, hdr: number, data: Uint8Array, hops: number, from: string, shown: string | undefined, stream = false): void {
    const shard = this.place(account);
    if (shard === this.cfg.index) {
      const acc = this.accounts.get(account);
      if (acc !== undefined) this.route(acc, subject, reply, hdr, data, imported(from, hops, false, shown, stream));
      return;
    }
    const w = this.peerMessage(shard, account, subject, reply, hdr, hops, stream ? PeerKind.Stream : PeerKind.Plain, from, shown);
    w.bytes(data);
    w.count++;
    this.barriers.reported(shard);
  }

  /** A request crossing a service import from `importer` into `exporter`: here, or on the exporter's shard. */
  private request(exporter: string, subject: string, reply: string | undefined, hdr: number, data: Uint8Array, hops: number, importer: string, responseType: ResponseType, threshold: number): void {
    const shard = this.place(exporter);
    if (shard === this.cfg.index) {
      this.serviceRequest(exporter, subject, reply, hdr, data, hops, importer, responseType, threshold);
      return;
    }
    const w = this.peerMessage(shard, exporter, subject, reply, hdr, hops, PeerKind.Request, importer, undefined);
    w.str(responseType);
    w.f64(threshold);
    w.bytes(data);
    w.count++;
    this.barriers.reported(shard);
  }

  private peerMessage(shard: number, account: string, subject: string, reply: string | undefined, hdr: number, hops: number, kind: number, from: string, shown: string | undefined): BatchWriter {
    const w = this.toPeers[shard];
    w.u8(Peer.Pub);
    w.str(account);
    w.str(subject);
    w.optStr(reply);
    w.i32(hdr);
    w.u8(hops);
    w.u8(kind);
    w.str(from);
    w.optStr(shown);
    return w;
  }

  /**
   * A request arrives in the exporting account. Its reply subject is replaced by a fresh `_R_` subject
   * mapped back to the requester (except `$JS.ACK.` replies, which the importer reaches through its own
   * import), it gets a `Nats-Request-Info` header naming the importing account, and it is routed in the
   * exporter. Nobody answering is not reported: the requester times out, as with nats-server.
   */
  private serviceRequest(exporter: string, subject: string, reply: string | undefined, hdr: number, data: Uint8Array, hops: number, importer: string, responseType: ResponseType, threshold: number): void {
    const acc = this.accounts.get(exporter);
    if (acc === undefined) return;
    let mapped = reply;
    if (reply !== undefined && !reply.startsWith("$JS.ACK.")) {
      mapped = acc.replyPrefix + randomBase62(6);
      acc.responses.set(mapped, { importer, reply, responseType, threshold, expiresAt: Date.now() + threshold });
    }
    // An ack goes to the consumer alone while nothing in the account can match a `$JS.` subject: nobody
    // could see the header, so it is not added (an ack crossing an import per delivered message).
    if (isAckSubject(subject) && acc.sublist.firstTokenFree("$JS")) {
      this.route(acc, subject, mapped, hdr, data, imported(importer, hops, true, undefined));
      return;
    }
    let info = this.requestInfo.get(importer);
    if (info === undefined) this.requestInfo.set(importer, (info = headerLine(REQUEST_INFO_HEADER, `{"acc":${JSON.stringify(importer)},"rtt":0}`)));
    const withInfo = addHeaderLine(hdr, data, info);
    this.route(acc, subject, mapped, withInfo.headerSize, withInfo.data, imported(importer, hops, true, undefined));
  }

  /** Drops response mappings whose time is up. Called periodically by the host. */
  sweep(now: number): void {
    for (const acc of this.accounts.values()) {
      if (acc.responses.size === 0) continue;
      for (const [k, m] of acc.responses) if (m.expiresAt <= now) acc.responses.delete(k);
    }
  }
}

/**
 * One member of a queue group, chosen at random (as nats-server does), skipping the publisher's own
 * subscriptions when it turned echo off, and members that already reached their delivery limit.
 */
function pickQueueMember(group: readonly LocalSub[], from: ShardClient | undefined): LocalSub | undefined {
  const n = group.length;
  const start = n === 1 ? 0 : Math.floor(Math.random() * n);
  for (let k = 0; k < n; k++) {
    const sub = group[(start + k) % n];
    if (from !== undefined && sub.client === from && !from.echo) continue;
    if (sub.max > 0 && sub.delivered >= sub.max) continue;
    return sub;
  }
  return undefined;
}

/**
 * A service import's or stream export's match for `subject`: uncached for a subject that will not come
 * again (`once`: a PubAck's or API response's reply subject, an ack), which would otherwise take a cache
 * slot and evict the subjects that repeat (measured: every PubAck in an account with exports missed and
 * refilled the exports' cache).
 */
function otherMatch<S extends Subscription>(list: Sublist<S>, subject: string, once: boolean): MatchResult<S> {
  return once ? list.matchOnce(subject) : list.match(subject);
}

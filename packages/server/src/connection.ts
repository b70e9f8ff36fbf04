import type { Socket } from "node:net";
import {
  type ClientError,
  ClientErrors,
  type ClientOpHandler,
  ClientParser,
  MsgHeadCache,
  OK,
  OutboundBuffer,
  PING,
  PONG,
  encodeErr,
  writeMsg,
  writeMsgReplyBytes,
} from "@tsnats/protocol";
import { isValidLiteralSubject, isValidSubject } from "@tsnats/subject";
import type { Authenticator, Identity } from "@tsnats/accounts";
import { newNonce } from "@tsnats/accounts";
import { ClientPermissions } from "./client-permissions.js";
import { type ClientOptions, applyConnect, defaultClientOptions, parseConnect } from "./connect-options.js";
import type { Logger } from "./logger.js";
import type { ServerOptions } from "./options.js";

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly opts: ServerOptions;
  readonly auth: Authenticator;
  /** The INFO line sent to this connection on accept. */
  infoFor(conn: ClientConnection): Buffer;
  /** The account of clients that need not authenticate. */
  readonly defaultAccount: string;
  /** The client authenticated (or needs none): it joins its account's routing. */
  attach(conn: ClientConnection): void;
  /** CONNECT changed options the routing core uses (echo, no_responders). */
  optionsChanged(conn: ClientConnection): void;
  /**
   * Routes a message; true when it went to the routing core (a PONG must then wait for a barrier), false
   * when the front-end routed it at once (a delivery hint).
   */
  publish(conn: ClientConnection, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): boolean;
  subscribe(conn: ClientConnection, sid: string, subject: string, queue: string | undefined): void;
  unsubscribe(conn: ClientConnection, sid: string, max: number): void;
  /** Flush this connection's outbound buffer after the current read, or at the end of the turn. */
  scheduleFlush(conn: ClientConnection): void;
  /** Writes out every connection that got output since the last flush. */
  flushPending(): void;
  /** Called after each read: ops go to the routing core, output to the sockets. */
  readDone(): void;
  /** Asks the routing core to call `barrierPassed()` once this client's earlier ops were processed. */
  barrier(conn: ClientConnection): void;
  /** The shard this client publishes to has too much in flight: stop reading from the client. */
  congested(conn: ClientConnection): boolean;
  /** Calls `resume` once the client's shard has caught up. */
  whenDecongested(conn: ClientConnection, resume: () => void): void;
  closed(conn: ClientConnection): void;
}

/** Flush inline (not at the end of the turn) once this much is queued, to bound memory. */
const INLINE_FLUSH_BYTES = 64 * 1024;

/**
 * How many bytes of one connection are parsed per event-loop turn: enough for about SLICE_MSGS of the
 * connection's recent messages, within [SLICE_MIN, SLICE_MAX]. Every slice costs a turn of the event loop
 * and a batch to the shard, and a slice of a few messages pays that for each (measured, js pub async to a
 * memory stream: with 16 KiB slices 1 KiB messages went at 109k/s, with 64 KiB at 137k/s); a slice of
 * hundreds of small messages holds a whole window of publishes back from the shard (128 B messages were
 * fastest at 16 KiB).
 */
const SLICE_MSGS = 64;
const SLICE_MIN = 16 * 1024;
const SLICE_MAX = 64 * 1024;

/** Why reading from a socket is held; reading resumes when no reason is left. */
const enum Hold {
  Yield = 1,
  Congested = 2,
  Auth = 4,
}

const enum Phase {
  /** Waiting for a CONNECT that authenticates. */
  Authenticating,
  Connected,
  Closing,
  Closed,
}

export interface ConnectionStats {
  inMsgs: number;
  inBytes: number;
  outMsgs: number;
  outBytes: number;
}

/**
 * One client connection on the client port: parses its ops, authenticates it, forwards its publishes and
 * subscriptions to the routing core, and writes what the core delivers to it in one batch per turn.
 */
export class ClientConnection implements ClientOpHandler {
  readonly parser: ClientParser;
  readonly out = new OutboundBuffer();
  private readonly heads = new MsgHeadCache();
  readonly options: ClientOptions = defaultClientOptions();
  readonly stats: ConnectionStats = { inMsgs: 0, inBytes: 0, outMsgs: 0, outBytes: 0 };
  readonly startedAt = new Date();
  readonly addr: string;
  identity: Identity | undefined;
  /** Set when the user has permissions; undefined means everything is allowed. */
  permissions: ClientPermissions | undefined;
  /** What this client must sign with its nkey (INFO `nonce`), when nkey users exist. */
  readonly nonce: string | undefined;
  /** Set while the connection is in the server's list of connections to flush this turn. */
  flushQueued = false;
  closeReason = "";

  private phase = Phase.Authenticating;
  private pingsOut = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private authTimer: NodeJS.Timeout | undefined;
  /** Bytes the socket had not yet written at the last flush: part of the slow-consumer measure. */
  private socketBacklog = 0;
  private readonly tracing: boolean;
  private lastValidSubject = "";
  /** Reasons reading is held (Hold bits); the socket is paused while any is set. */
  private holds = 0;
  /** Ops went to the routing core since the last PONG was asked for. */
  private routedSincePong = false;
  private pongsAwaited = 0;

  constructor(
    readonly cid: number,
    readonly socket: Socket,
    private readonly host: ConnectionHost,
    readonly log: Logger,
  ) {
    this.addr = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
    const opts = host.opts;
    this.parser = new ClientParser(this, { maxControlLine: opts.maxControlLine, maxPayload: opts.maxPayload });
    this.tracing = log.isLevelEnabled("trace");
    this.nonce = host.auth.needsNonce ? newNonce() : undefined;
  }

  // ClientRef, read by the routing core.
  get account(): string {
    return this.identity?.account ?? "";
  }
  get echo(): boolean {
    return this.options.echo;
  }
  get noResponders(): boolean {
    return this.options.noResponders;
  }

  get isClosed(): boolean {
    return this.phase >= Phase.Closing;
  }

  /** Sends INFO and starts the auth and ping timers. */
  start(): void {
    const s = this.socket;
    s.setNoDelay(true);
    s.on("data", (chunk: Buffer) => this.onData(chunk));
    s.on("error", (err) => this.log.debug({ err: err.message }, "Socket error"));
    s.on("close", () => this.onSocketClosed());
    this.sendRaw(this.host.infoFor(this));
    if (this.host.auth.required) {
      const timeout = this.host.opts.authorization.timeout ?? 2000;
      this.authTimer = setTimeout(() => this.closeWithError(ClientErrors.authTimeout, "Authentication Timeout"), timeout);
    } else {
      this.admit({ account: this.host.defaultAccount });
    }
    const interval = this.host.opts.pingInterval;
    if (interval > 0) this.pingTimer = setInterval(() => this.pingTick(), interval);
    this.pingTimer?.unref();
  }

  // ---- ClientOpHandler -------------------------------------------------------------------------

  connect(json: string): void {
    if (this.tracing) this.log.trace(`<<- [CONNECT ${redactConnect(json)}]`);
    const c = parseConnect(json);
    if (c === undefined) return this.closeWithError(ClientErrors.unknownOp, "CONNECT JSON does not parse");
    applyConnect(this.options, c);
    if (this.phase !== Phase.Authenticating) return this.connected();
    const result = this.host.auth.authenticate(c, this.nonce);
    if (!(result instanceof Promise)) return this.authenticated(result, c.user);
    // A bcrypt check: hold the ops that follow CONNECT until it is decided.
    this.parser.pause();
    this.hold(Hold.Auth, undefined);
    result.then(
      (identity) => {
        if (this.isClosed) return;
        this.authenticated(identity, c.user);
        this.host.flushPending();
        if (this.isClosed) return;
        this.release(Hold.Auth);
        this.parser.resume();
        this.host.readDone();
      },
      (err: Error) => this.closeWithError(ClientErrors.authorizationViolation, `authentication error: ${err.message}`),
    );
  }

  private authenticated(identity: Identity | undefined, user: string | undefined): void {
    if (identity === undefined) {
      this.log.info(`Authorization Error${user ? ` - User "${user}"` : ""}`);
      return this.closeWithError(ClientErrors.authorizationViolation, "authentication failed");
    }
    clearTimeout(this.authTimer);
    this.admit(identity);
    this.connected();
  }

  /** The client is in: it joins its account's routing, with its permissions. */
  private admit(identity: Identity): void {
    this.identity = identity;
    if (identity.permissions !== undefined) this.permissions = new ClientPermissions(identity.permissions);
    this.phase = Phase.Connected;
    this.host.attach(this);
  }

  /** CONNECT was accepted: check what it asked for and acknowledge it. */
  private connected(): void {
    if (this.options.noResponders && !this.options.headers) {
      return this.closeWithError(ClientErrors.noRespondersNeedsHeaders, "no_responders without headers");
    }
    this.host.optionsChanged(this);
    if (this.options.verbose) this.sendRaw(OK);
  }

  pub(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array, subjectValid?: boolean): void {
    if (this.tracing) this.log.trace(`<<- [${headerSize >= 0 ? "HPUB" : "PUB"} ${subject}${reply ? ` ${reply}` : ""} ${data.length}]`);
    if (!this.mayOperate()) return;
    if (headerSize >= 0 && !this.options.headers) {
      return this.closeWithError(ClientErrors.unknownOp, "HPUB from a client without headers support");
    }
    this.stats.inMsgs++;
    this.stats.inBytes += data.length;
    // The parser's fast path checked the subject on its way; otherwise publishers repeat subjects, and the
    // parser interns them: a subject is validated once, not per message.
    if (!(subjectValid ?? (subject === this.lastValidSubject || isValidLiteralSubject(subject)))) {
      // nats-server answers with an error but still routes a subject whose tokens are all non-empty
      // (wildcard tokens then match only as literals); one with an empty token matches nothing.
      this.sendErr(ClientErrors.invalidPublishSubject);
      if (!hasEmptyToken(subject)) {
        if (this.host.publish(this, subject, reply, headerSize, data)) this.routedSincePong = true;
      }
      return;
    }
    this.lastValidSubject = subject;
    if (reply !== undefined && isReservedReply(reply)) {
      this.log.error(`Publish Violation - User "${this.identity?.user ?? ""}", Reply "${reply}"`);
      return this.sendErr(ClientErrors.replyViolation(reply));
    }
    if ((this.permissions !== undefined && !this.permissions.mayPublish(subject, Date.now())) || isReservedSubject(subject)) {
      this.log.error(`Publish Violation - User "${this.identity?.user ?? ""}", Subject "${subject}"`);
      return this.sendErr(ClientErrors.publishViolation(subject));
    }
    // nats-server acknowledges a PUB before routing it, so +OK precedes any MSG the publish causes.
    if (this.options.verbose) this.sendRaw(OK);
    if (this.host.publish(this, subject, reply, headerSize, data)) this.routedSincePong = true;
  }

  sub(subject: string, queue: string | undefined, sid: string): void {
    if (this.tracing) this.log.trace(`<<- [SUB ${subject}${queue ? ` ${queue}` : ""} ${sid}]`);
    if (!this.mayOperate()) return;
    if (!isValidSubject(subject)) return this.sendErr(ClientErrors.invalidSubject);
    if (this.permissions !== undefined && !this.permissions.maySubscribe(subject, queue)) {
      this.log.error(`Subscription Violation - User "${this.identity?.user ?? ""}", Subject "${subject}"${queue !== undefined ? `, Queue: "${queue}"` : ""}, SID ${sid}`);
      return this.sendErr(ClientErrors.subscribeViolation(subject, queue));
    }
    this.routedSincePong = true;
    this.host.subscribe(this, sid, subject, queue);
    if (this.options.verbose) this.sendRaw(OK);
  }

  unsub(sid: string, max: number): void {
    if (this.tracing) this.log.trace(`<<- [UNSUB ${sid}${max > 0 ? ` ${max}` : ""}]`);
    if (!this.mayOperate()) return;
    this.routedSincePong = true;
    this.host.unsubscribe(this, sid, max);
    if (this.options.verbose) this.sendRaw(OK);
  }

  ping(): void {
    if (this.tracing) this.log.trace("<<- [PING]");
    if (!this.mayOperate()) return;
    // A PONG promises the client that what it sent before was processed, and nats-server writes the
    // messages that caused to this client before the PONG. The routing core runs elsewhere, so when
    // anything went there since the last PONG, the PONG waits for a barrier through the core.
    if (this.routedSincePong || this.pongsAwaited > 0) {
      this.routedSincePong = false;
      this.pongsAwaited++;
      this.host.barrier(this);
      return;
    }
    this.sendRaw(PONG);
  }

  /** The barrier asked for by a PING came back: the PONG can go. */
  barrierPassed(): void {
    if (this.pongsAwaited === 0) return;
    this.pongsAwaited--;
    this.sendRaw(PONG);
  }

  pong(): void {
    if (this.tracing) this.log.trace("<<- [PONG]");
    if (!this.mayOperate()) return;
    this.pingsOut = 0;
  }

  protocolError(err: ClientError, detail: string): void {
    this.log.debug(`Client parser error: ${detail}`);
    this.closeWithError(err, detail);
  }

  /** Before CONNECT on a server that requires auth, every op but CONNECT is a violation. */
  private mayOperate(): boolean {
    if (this.phase === Phase.Connected) return true;
    if (this.phase === Phase.Authenticating) this.closeWithError(ClientErrors.authorizationViolation, "op before CONNECT");
    return false;
  }

  // ---- reading -------------------------------------------------------------------------------

  /** What is left of a big read, parsed a slice per event-loop turn. */
  private unread: Buffer | undefined;

  /**
   * Fairness: a connection gets one slice (see SLICE_MSGS) parsed per turn of the event loop. A publisher
   * sending as fast as it can would otherwise hold the thread for read after read (libuv reads a busy
   * socket many times in a row), delaying every other tenant's messages and the shards' answers.
   * The parser takes input split anywhere, so a read is simply parsed in slices.
   */
  private onData(chunk: Buffer): void {
    const slice = this.sliceBytes;
    if (chunk.length > slice) {
      this.unread = chunk.subarray(slice);
      chunk = chunk.subarray(0, slice);
      this.hold(Hold.Yield, (release) => setImmediate(() => this.readMore(release)));
    }
    this.parseSlice(chunk);
    // Like nats-server's read loop: what one read produced goes out right after it, in one batch per
    // shard and one write per destination connection. Waiting for the end of the turn only added latency.
    this.host.readDone();
    // Back-pressure: when the shard this client publishes to is behind, stop reading until it catches up.
    if (!this.isClosed && this.host.congested(this)) this.hold(Hold.Congested, undefined);
  }

  private readMore(release: () => void): void {
    const rest = this.unread;
    this.unread = undefined;
    if (rest === undefined || this.isClosed) return release();
    const slice = this.sliceBytes;
    if (rest.length > slice) {
      this.unread = rest.subarray(slice);
      setImmediate(() => this.readMore(release));
    } else {
      release();
    }
    this.parseSlice(rest.length > slice ? rest.subarray(0, slice) : rest);
    this.host.readDone();
    if (!this.isClosed && this.host.congested(this)) this.hold(Hold.Congested, undefined);
  }

  /** Bytes of the next slice (see SLICE_MSGS). */
  private sliceBytes = SLICE_MIN;

  /** Parses a slice, then sizes the next one after the messages this one held. */
  private parseSlice(chunk: Buffer): void {
    const before = this.stats.inMsgs;
    this.parser.parse(chunk);
    const msgs = this.stats.inMsgs - before;
    if (msgs > 0) this.sliceBytes = Math.min(SLICE_MAX, Math.max(SLICE_MIN, Math.round((chunk.length / msgs) * SLICE_MSGS)));
  }

  // ---- read holds ----------------------------------------------------------------------------

  /**
   * Stops reading for `reason`. With `schedule`, the hold is released by the callback it is given;
   * otherwise by a later `release(reason)`.
   */
  hold(reason: number, schedule: ((release: () => void) => void) | undefined): void {
    if ((this.holds & reason) !== 0) return;
    if (this.holds === 0) this.socket.pause();
    this.holds |= reason;
    if (reason === Hold.Congested) this.host.whenDecongested(this, () => this.release(Hold.Congested));
    schedule?.(() => this.release(reason));
  }

  release(reason: number): void {
    if ((this.holds & reason) === 0) return;
    this.holds &= ~reason;
    if (this.holds === 0 && !this.isClosed) this.socket.resume();
  }

  // ---- output --------------------------------------------------------------------------------

  /** A message for one of this client's subscriptions (called by the routing core's sink). */
  deliver(sid: string, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): void {
    if (this.phase >= Phase.Closing) return;
    const perms = this.permissions;
    if (perms !== undefined) {
      if (perms.deliveryDenied(subject)) return;
      if (reply !== undefined && perms.tracksResponses) perms.granted(reply, Date.now());
    }
    if (headerSize >= 0 && !this.options.headers) {
      // A client without header support gets the payload alone, as nats-server strips the block.
      data = data.subarray(headerSize);
      headerSize = -1;
    }
    if (this.tracing) this.log.trace(`->> [${headerSize >= 0 ? "HMSG" : "MSG"} ${subject} ${sid}${reply ? ` ${reply}` : ""} ${data.length}]`);
    writeMsg(this.out, subject, sid, reply, headerSize, data, this.heads);
    this.stats.outMsgs++;
    this.stats.outBytes += data.length;
    this.queued();
  }

  /**
   * `deliver` for a message whose reply subject is still the encoded bytes `src[start, end)` (as the routing
   * core handed them over): copied to the output as they are, unless this connection needs the reply as a
   * string (permissions tracking responses, tracing) or rewrites the message (headers stripped).
   */
  deliverReplyBytes(sid: string, subject: string, src: Buffer, start: number, end: number, headerSize: number, data: Uint8Array): void {
    if (this.phase >= Phase.Closing) return;
    if (this.permissions !== undefined || this.tracing || (headerSize >= 0 && !this.options.headers)) {
      return this.deliver(sid, subject, src.toString("utf8", start, end), headerSize, data);
    }
    writeMsgReplyBytes(this.out, subject, sid, src, start, end, headerSize, data, this.heads);
    this.stats.outMsgs++;
    this.stats.outBytes += data.length;
    this.queued();
  }

  /** Queues protocol bytes (INFO, PONG, +OK, -ERR) for this turn's flush. */
  sendRaw(bytes: Buffer): void {
    if (this.phase === Phase.Closed) return;
    this.out.bytes(bytes);
    this.queued();
  }

  sendErr(err: ClientError | string): void {
    const text = typeof err === "string" ? err : err.text;
    if (this.tracing) this.log.trace(`->> [-ERR '${text}']`);
    this.sendRaw(encodeErr(err));
  }

  private queued(): void {
    const pending = this.out.length;
    if (pending + this.socketBacklog > this.host.opts.maxPending) return this.slowConsumer();
    if (pending >= INLINE_FLUSH_BYTES) this.flush();
    else if (!this.flushQueued) this.host.scheduleFlush(this);
  }

  /** Writes everything queued to the socket, in one writev when there are several chunks. */
  flush(): void {
    const chunks = this.out.take();
    if (chunks.length === 0 || this.phase === Phase.Closed) return;
    const s = this.socket;
    if (chunks.length === 1) {
      s.write(chunks[0]);
    } else {
      s.cork();
      for (const c of chunks) s.write(c);
      s.uncork();
    }
    this.socketBacklog = s.writableLength;
    if (this.socketBacklog > this.host.opts.maxPending) this.slowConsumer();
  }

  private slowConsumer(): void {
    if (this.phase >= Phase.Closing) return;
    this.log.info(`Slow Consumer Detected: MaxPending of ${this.host.opts.maxPending} exceeded`);
    // The socket is not draining: nothing more would reach the client, so drop it now.
    this.closeReason = "Slow Consumer (Pending Bytes)";
    this.phase = Phase.Closing;
    this.parser.stop();
    this.socket.destroy();
  }

  // ---- liveness ------------------------------------------------------------------------------

  private pingTick(): void {
    if (this.phase !== Phase.Connected) return;
    if (this.pingsOut + 1 > this.host.opts.maxPingsOut) {
      return this.closeWithError(ClientErrors.staleConnection, "Stale Connection");
    }
    this.pingsOut++;
    this.sendRaw(PING);
  }

  // ---- closing -------------------------------------------------------------------------------

  /** Sends `-ERR` and, when the error is fatal, closes the connection once it is written. */
  closeWithError(err: ClientError, reason: string): void {
    if (this.phase >= Phase.Closing) return;
    this.sendErr(err);
    if (err.close) this.close(reason);
  }

  /** Flushes what is queued, then closes. */
  close(reason: string): void {
    if (this.phase >= Phase.Closing) return;
    this.closeReason = reason;
    this.phase = Phase.Closing;
    this.parser.stop();
    this.flush();
    this.socket.end();
    // A peer that does not read would keep a half-closed socket forever.
    setTimeout(() => this.socket.destroy(), this.host.opts.writeDeadline).unref();
  }

  private onSocketClosed(): void {
    if (this.phase === Phase.Closed) return;
    if (this.closeReason === "") this.closeReason = "Client Closed";
    this.phase = Phase.Closed;
    this.parser.stop();
    clearTimeout(this.authTimer);
    clearInterval(this.pingTimer);
    this.host.closed(this);
  }
}

/**
 * Reply prefixes the server itself uses (JetStream acks, service response mappings, gateway replies):
 * clients may not publish with them (nats-server's check, down to the lengths).
 */
function isReservedReply(reply: string): boolean {
  const c = reply.charCodeAt(0);
  if (c === 0x24 /* $ */) return reply.length > 8 && reply.startsWith("$JS.ACK.");
  if (c === 0x5f /* _ */) return (reply.length > 4 && reply.startsWith("_R_.")) || (reply.length > 5 && reply.startsWith("_GR_."));
  return false;
}

/** Subjects no client may publish to (the gateway reply space). */
function isReservedSubject(subject: string): boolean {
  return subject.length > 5 && subject.charCodeAt(0) === 0x5f && subject.startsWith("_GR_.");
}

function hasEmptyToken(subject: string): boolean {
  if (subject.length === 0) return true;
  if (subject.charCodeAt(0) === 0x2e || subject.charCodeAt(subject.length - 1) === 0x2e) return true;
  return subject.includes("..");
}

/** CONNECT as traced: passwords, tokens and signatures replaced, as nats-server does. */
function redactConnect(json: string): string {
  return json.replace(/"(pass|auth_token|sig|jwt)"\s*:\s*"[^"]*"/g, '"$1":"[REDACTED]"');
}

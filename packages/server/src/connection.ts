import type { Socket } from "node:net";
import {
  type ClientError,
  ClientErrors,
  type ClientOpHandler,
  ClientParser,
  OK,
  OutboundBuffer,
  PING,
  PONG,
  encodeErr,
  writeMsg,
} from "@tsnats/protocol";
import type { ClientRef } from "@tsnats/router";
import { isValidLiteralSubject, isValidSubject } from "@tsnats/subject";
import type { Authenticator, Identity } from "./auth.js";
import { type ClientOptions, applyConnect, defaultClientOptions, parseConnect } from "./connect-options.js";
import type { Logger } from "./logger.js";
import type { ServerOptions } from "./options.js";

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly opts: ServerOptions;
  readonly auth: Authenticator;
  /** The INFO line sent to this connection on accept. */
  infoFor(conn: ClientConnection): Buffer;
  /** The client authenticated (or needs none): it joins its account's routing. */
  attach(conn: ClientConnection): void;
  publish(conn: ClientConnection, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): void;
  subscribe(conn: ClientConnection, sid: string, subject: string, queue: string | undefined): void;
  unsubscribe(conn: ClientConnection, sid: string, max: number): void;
  /** Flush this connection's outbound buffer after the current read, or at the end of the turn. */
  scheduleFlush(conn: ClientConnection): void;
  /** Writes out every connection that got output since the last flush (called after each read). */
  flushPending(): void;
  closed(conn: ClientConnection): void;
}

/** Flush inline (not at the end of the turn) once this much is queued, to bound memory. */
const INLINE_FLUSH_BYTES = 64 * 1024;

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
export class ClientConnection implements ClientOpHandler, ClientRef {
  readonly parser: ClientParser;
  readonly out = new OutboundBuffer();
  readonly options: ClientOptions = defaultClientOptions();
  readonly stats: ConnectionStats = { inMsgs: 0, inBytes: 0, outMsgs: 0, outBytes: 0 };
  readonly startedAt = new Date();
  readonly addr: string;
  identity: Identity | undefined;
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
    s.on("data", (chunk: Buffer) => {
      this.parser.parse(chunk);
      // Like nats-server's read loop: what one read produced goes out right after it, in one write
      // per destination connection. Waiting for the end of the turn only added latency.
      this.host.flushPending();
    });
    s.on("error", (err) => this.log.debug({ err: err.message }, "Socket error"));
    s.on("close", () => this.onSocketClosed());
    this.sendRaw(this.host.infoFor(this));
    if (this.host.auth.required) {
      const timeout = this.host.opts.authorization.timeout ?? 2000;
      this.authTimer = setTimeout(() => this.closeWithError(ClientErrors.authTimeout, "Authentication Timeout"), timeout);
    } else {
      this.identity = this.host.auth.authenticate({});
      this.phase = Phase.Connected;
      this.host.attach(this);
    }
    const interval = this.host.opts.pingInterval;
    if (interval > 0) this.pingTimer = setInterval(() => this.pingTick(), interval);
    this.pingTimer?.unref();
  }

  // ---- ClientOpHandler -------------------------------------------------------------------------

  connect(json: string): void {
    if (this.tracing) this.log.trace(`<<- [CONNECT ${json}]`);
    const c = parseConnect(json);
    if (c === undefined) return this.closeWithError(ClientErrors.unknownOp, "CONNECT JSON does not parse");
    applyConnect(this.options, c);
    if (this.phase === Phase.Authenticating) {
      const identity = this.host.auth.authenticate(c);
      if (identity === undefined) {
        this.log.info(`Authorization Error${c.user ? ` - User "${c.user}"` : ""}`);
        return this.closeWithError(ClientErrors.authorizationViolation, "authentication failed");
      }
      clearTimeout(this.authTimer);
      this.identity = identity;
      this.phase = Phase.Connected;
      this.host.attach(this);
    }
    if (this.options.noResponders && !this.options.headers) {
      return this.closeWithError(ClientErrors.noRespondersNeedsHeaders, "no_responders without headers");
    }
    if (this.options.verbose) this.sendRaw(OK);
  }

  pub(subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): void {
    if (this.tracing) this.log.trace(`<<- [${headerSize >= 0 ? "HPUB" : "PUB"} ${subject}${reply ? ` ${reply}` : ""} ${data.length}]`);
    if (!this.mayOperate()) return;
    if (headerSize >= 0 && !this.options.headers) {
      return this.closeWithError(ClientErrors.unknownOp, "HPUB from a client without headers support");
    }
    this.stats.inMsgs++;
    this.stats.inBytes += data.length;
    // Publishers repeat subjects, and the parser interns them: validate a subject once, not per message.
    if (subject !== this.lastValidSubject && !isValidLiteralSubject(subject)) {
      // nats-server answers with an error but still routes a subject whose tokens are all non-empty
      // (wildcard tokens then match only as literals); one with an empty token matches nothing.
      this.sendErr(ClientErrors.invalidPublishSubject);
      if (!hasEmptyToken(subject)) this.host.publish(this, subject, reply, headerSize, data);
      return;
    }
    this.lastValidSubject = subject;
    // nats-server acknowledges a PUB before routing it, so +OK precedes any MSG the publish causes.
    if (this.options.verbose) this.sendRaw(OK);
    this.host.publish(this, subject, reply, headerSize, data);
  }

  sub(subject: string, queue: string | undefined, sid: string): void {
    if (this.tracing) this.log.trace(`<<- [SUB ${subject}${queue ? ` ${queue}` : ""} ${sid}]`);
    if (!this.mayOperate()) return;
    if (!isValidSubject(subject)) return this.sendErr(ClientErrors.invalidSubject);
    this.host.subscribe(this, sid, subject, queue);
    if (this.options.verbose) this.sendRaw(OK);
  }

  unsub(sid: string, max: number): void {
    if (this.tracing) this.log.trace(`<<- [UNSUB ${sid}${max > 0 ? ` ${max}` : ""}]`);
    if (!this.mayOperate()) return;
    this.host.unsubscribe(this, sid, max);
    if (this.options.verbose) this.sendRaw(OK);
  }

  ping(): void {
    if (this.tracing) this.log.trace("<<- [PING]");
    if (!this.mayOperate()) return;
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

  // ---- output --------------------------------------------------------------------------------

  /** A message for one of this client's subscriptions (called by the routing core's sink). */
  deliver(sid: string, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): void {
    if (this.phase >= Phase.Closing) return;
    if (this.tracing) this.log.trace(`->> [${headerSize >= 0 ? "HMSG" : "MSG"} ${subject} ${sid}${reply ? ` ${reply}` : ""} ${data.length}]`);
    writeMsg(this.out, subject, sid, reply, headerSize, data);
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

function hasEmptyToken(subject: string): boolean {
  if (subject.length === 0) return true;
  if (subject.charCodeAt(0) === 0x2e || subject.charCodeAt(subject.length - 1) === 0x2e) return true;
  return subject.includes("..");
}

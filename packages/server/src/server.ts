import { type AddressInfo, type Server as NetServer, type Socket, createServer } from "node:net";
import { Authenticator, GLOBAL_ACCOUNT } from "@tsnats/accounts";
import { ClientErrors, encodeErr, encodeInfo } from "@tsnats/protocol";
import { Router, type RouterOptions, type RouterSink } from "@tsnats/router";
import { jetstreamConfig } from "./jetstream-config.js";
import { ClientConnection, type ConnectionHost } from "./connection.js";
import { type Logger, createLogger } from "./logger.js";
import { type Monitor, startMonitor } from "./monitor.js";
import { type ServerOptions, type ServerOptionsInput, accountsView, resolveOptions } from "./options.js";
import { removeRuntimeFiles, writeRuntimeFiles } from "./runtime-files.js";
import { newServerId } from "./server-id.js";
import { VERSION, NATS_VERSION } from "./version.js";

/** The fields of INFO that are the same for every client. */
export interface ServerInfo {
  server_id: string;
  server_name: string;
  version: string;
  proto: number;
  host: string;
  port: number;
  headers: boolean;
  auth_required?: boolean;
  max_payload?: number;
  jetstream?: boolean;
}

export interface ServerStats {
  inMsgs: number;
  inBytes: number;
  outMsgs: number;
  outBytes: number;
  totalConnections: number;
  slowConsumers: number;
}

/** A closed connection, kept briefly for monitoring (connz?state=closed). */
export interface ClosedConnection {
  cid: number;
  addr: string;
  name: string;
  reason: string;
  start: Date;
  stop: Date;
}

/**
 * A tsnats server: the client listener, its connections, and the routing core they publish through.
 * Create it with `startServer()`.
 */
export class Server implements ConnectionHost {
  readonly opts: ServerOptions;
  readonly log: Logger;
  readonly id = newServerId();
  readonly auth: Authenticator;
  readonly router: Router<ClientConnection>;
  readonly defaultAccount = GLOBAL_ACCOUNT;
  readonly connections = new Map<number, ClientConnection>();
  readonly closedConnections: ClosedConnection[] = [];
  readonly stats: ServerStats = { inMsgs: 0, inBytes: 0, outMsgs: 0, outBytes: 0, totalConnections: 0, slowConsumers: 0 };
  readonly startedAt = new Date();

  private listener: NetServer | undefined;
  private monitor: Monitor | undefined;
  private info: ServerInfo | undefined;
  private nextCid = 1;
  private toFlush: ClientConnection[] = [];
  private flushScheduled = false;
  private shuttingDown = false;
  private closedPromise: Promise<void> | undefined;

  constructor(input: ServerOptionsInput, logger?: Logger) {
    this.opts = resolveOptions(input);
    this.log = logger ?? createLogger(this.opts.logging);
    const view = accountsView(this.opts);
    this.auth = new Authenticator(view);
    const sink: RouterSink<ClientConnection> = {
      deliver: (conn, sid, subject, reply, headerSize, data) => conn.deliver(sid, subject, reply, headerSize, data),
      deliverReplyBytes: (conn, sid, subject, src, start, end, headerSize, data) => conn.deliverReplyBytes(sid, subject, src, start, end, headerSize, data),
      barrier: (conn) => conn.barrierPassed(),
      // Under load (more answers in flight) shard output is written at the end of the event-loop turn, so
      // every answer that arrived in the turn reaches a socket in one write: a syscall per connection per
      // turn, not per batch. The last answer awaited is written at once (a lone request waits for nothing).
      batchDone: (moreInFlight) => (moreInFlight ? this.scheduleFlushAll() : this.flushPending()),
      shardRestarted: (shard, err) => this.log.error(`Shard ${shard} died (${err.message}); restarted with its clients' subscriptions restored`),
    };
    const sh = this.opts.shards;
    const routerOpts: RouterOptions = { shards: Math.max(1, sh.count), inProcess: sh.inProcess, pins: sh.pin, accounts: view.accounts };
    const js = jetstreamConfig(this.opts, view.accounts);
    if (js !== undefined) routerOpts.jetstream = js;
    this.router = new Router(routerOpts, sink);
  }

  get name(): string {
    return this.opts.serverName ?? this.id;
  }

  /** The address the client listener is bound to. */
  get address(): AddressInfo {
    const a = this.listener?.address();
    if (a === null || a === undefined || typeof a === "string") throw new Error("server is not listening");
    return a;
  }

  get port(): number {
    return this.address.port;
  }

  get monitorPort(): number | undefined {
    return this.monitor?.port;
  }

  async start(): Promise<void> {
    const o = this.opts;
    this.log.info(`Starting tsnats-server`);
    this.log.info(`  Version:  ${VERSION} (NATS ${NATS_VERSION})`);
    this.log.info(`  ID:       ${this.id}`);
    if (o.configFile) this.log.info(`Using configuration file: ${o.configFile}`);
    const js = this.router.jetstream;
    if (js !== undefined) this.log.info(`Starting JetStream (store: ${js.storeDir ?? "memory"}; accounts: ${Object.keys(js.accounts).join(", ") || "none"})`);
    if (o.cluster.routes.length > 0 || o.cluster.port !== undefined) this.log.warn("Clustering is not available in this version yet; cluster settings are ignored");
    this.router.start();
    this.log.info(`Routing core: ${this.router.shardCount} shard(s) ${o.shards.inProcess ? "in-process" : "in worker threads"}`);
    const listener = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.listener = listener;
    await new Promise<void>((resolve, reject) => {
      listener.once("error", reject);
      listener.listen(o.port <= 0 ? 0 : o.port, o.host, () => {
        listener.off("error", reject);
        resolve();
      });
    });
    listener.on("error", (err) => this.log.error(`Client listener error: ${err.message}`));
    this.info = this.buildInfo();
    if (o.httpPort !== 0) this.monitor = await startMonitor(this, o.httpHost ?? o.host, o.httpPort);
    writeRuntimeFiles(this);
    this.log.info(`Listening for client connections on ${hostPort(o.host, this.port)}`);
    this.log.info("Server is ready");
  }

  /** INFO's server-wide fields, in nats-server's order (auth_required after headers). */
  private buildInfo(): ServerInfo {
    const info: ServerInfo = {
      server_id: this.id,
      server_name: this.name,
      version: NATS_VERSION,
      proto: 1,
      host: this.opts.host,
      port: this.port,
      headers: true,
    };
    if (this.auth.advertised) info.auth_required = true;
    if (this.router.jetstream !== undefined) info.jetstream = true;
    info.max_payload = this.opts.maxPayload;
    return info;
  }

  /** The INFO a connection gets: the server's fields, then the client's own (and its nonce), then ours. */
  infoFor(conn: ClientConnection): Buffer {
    const info: Record<string, unknown> = { ...this.info, client_id: conn.cid, client_ip: conn.socket.remoteAddress ?? "" };
    if (conn.nonce !== undefined) info.nonce = conn.nonce;
    info.tsnats = VERSION;
    return encodeInfo(info);
  }

  private accept(socket: Socket): void {
    if (this.shuttingDown) {
      socket.destroy();
      return;
    }
    const cid = this.nextCid++;
    if (this.connections.size >= this.opts.maxConnections) {
      this.log.warn(`Maximum connections of ${this.opts.maxConnections} exceeded, rejecting ${socket.remoteAddress}:${socket.remotePort}`);
      socket.on("error", () => {});
      socket.end(Buffer.concat([encodeInfo({ ...this.info, client_id: cid }), encodeErr(ClientErrors.maxConnections)]));
      return;
    }
    const log = this.log.child({ cid, addr: `${socket.remoteAddress}:${socket.remotePort}` });
    const conn = new ClientConnection(cid, socket, this, log);
    this.connections.set(cid, conn);
    this.stats.totalConnections++;
    log.debug("Client connection created");
    conn.start();
  }

  // ---- ConnectionHost ------------------------------------------------------------------------

  attach(conn: ClientConnection): void {
    this.router.attach(conn.cid, conn, conn.account, conn.echo, conn.noResponders);
  }

  optionsChanged(conn: ClientConnection): void {
    this.router.attach(conn.cid, conn, conn.account, conn.echo, conn.noResponders);
  }

  publish(conn: ClientConnection, subject: string, reply: string | undefined, headerSize: number, data: Uint8Array): boolean {
    this.stats.inMsgs++;
    this.stats.inBytes += data.length;
    return this.router.publish(conn.cid, subject, reply, headerSize, data);
  }

  subscribe(conn: ClientConnection, sid: string, subject: string, queue: string | undefined): void {
    this.router.subscribe(conn.cid, sid, subject, queue);
  }

  unsubscribe(conn: ClientConnection, sid: string, max: number): void {
    this.router.unsubscribe(conn.cid, sid, max);
  }

  barrier(conn: ClientConnection): void {
    this.router.barrier(conn.cid);
  }

  congested(conn: ClientConnection): boolean {
    return this.router.congested(conn.cid);
  }

  whenDecongested(conn: ClientConnection, resume: () => void): void {
    this.router.whenDecongested(conn.cid, resume);
  }

  /** After a read: the ops it produced go to the shards, the output it produced to the sockets. */
  readDone(): void {
    this.router.flush();
    this.flushPending();
  }

  scheduleFlush(conn: ClientConnection): void {
    conn.flushQueued = true;
    this.toFlush.push(conn);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAll);
    }
  }

  private scheduleFlushAll(): void {
    if (!this.flushScheduled && this.toFlush.length > 0) {
      this.flushScheduled = true;
      setImmediate(this.flushAll);
    }
  }

  /** Every connection that got output since the last flush writes it in one go. */
  flushPending(): void {
    const list = this.toFlush;
    if (list.length === 0) return;
    this.toFlush = [];
    for (const conn of list) {
      conn.flushQueued = false;
      conn.flush();
    }
  }

  /** The end-of-turn flush, for output that was not produced by a read (timers, closes). */
  private readonly flushAll = (): void => {
    this.flushScheduled = false;
    this.flushPending();
  };

  closed(conn: ClientConnection): void {
    this.connections.delete(conn.cid);
    this.router.detach(conn.cid);
    const s = conn.stats;
    this.stats.outMsgs += s.outMsgs;
    this.stats.outBytes += s.outBytes;
    if (conn.closeReason.startsWith("Slow Consumer")) this.stats.slowConsumers++;
    this.closedConnections.push({ cid: conn.cid, addr: conn.addr, name: conn.options.name, reason: conn.closeReason, start: conn.startedAt, stop: new Date() });
    if (this.closedConnections.length > 1000) this.closedConnections.shift();
    conn.log.debug(`Client connection closed: ${conn.closeReason}`);
  }

  /** Stops accepting, flushes and closes every connection, and releases the ports. */
  close(): Promise<void> {
    if (this.closedPromise !== undefined) return this.closedPromise;
    this.shuttingDown = true;
    this.closedPromise = (async () => {
      this.log.info("Initiating Shutdown...");
      const listenerClosed = new Promise<void>((resolve) => (this.listener ? this.listener.close(() => resolve()) : resolve()));
      const conns = [...this.connections.values()];
      await Promise.all(
        conns.map(
          (c) =>
            new Promise<void>((resolve) => {
              c.socket.once("close", () => resolve());
              c.close("Server Shutdown");
              if (c.socket.destroyed) resolve();
            }),
        ),
      );
      await listenerClosed;
      await this.monitor?.close();
      await this.router.close();
      removeRuntimeFiles(this);
      this.log.info("Server Exiting..");
    })();
    return this.closedPromise;
  }
}

export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The embedding API's handle on a running server. */
export interface ServerHandle {
  readonly server: Server;
  readonly port: number;
  readonly host: string;
  /** `nats://host:port`, with a loopback host when the server listens on every interface. */
  readonly url: string;
  close(): Promise<void>;
}

export interface StartOptions extends ServerOptionsInput {
  /** A pino logger to use instead of creating one from `logging`. */
  logger?: Logger;
}

/** Starts a server and resolves once it accepts clients. */
export async function startServer(options: StartOptions = {}): Promise<ServerHandle> {
  const { logger, ...input } = options;
  const server = new Server(input, logger);
  await server.start();
  const host = server.opts.host;
  const dialHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return {
    server,
    port: server.port,
    host,
    url: `nats://${hostPort(dialHost, server.port)}`,
    close: () => server.close(),
  };
}

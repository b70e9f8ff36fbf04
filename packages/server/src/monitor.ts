import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import type { Server } from "./server.js";
import { NATS_VERSION, VERSION } from "./version.js";

/**
 * HTTP monitoring (`-m/--http_port`), the subset of nats-server's endpoints that tools and health checks
 * use: /healthz, /varz, /connz, /subsz, /routez. Field names as nats-server's (snake_case).
 */
export interface Monitor {
  readonly port: number;
  close(): Promise<void>;
}

type Handler = (server: Server, url: URL) => unknown;

const ENDPOINTS: Record<string, Handler> = {
  "/healthz": () => ({ status: "ok" }),
  "/varz": varz,
  "/connz": connz,
  "/subsz": (s) => ({ server_id: s.id, now: new Date().toISOString(), num_subscriptions: s.router.subscriptionCount }),
  "/routez": (s) => ({ server_id: s.id, now: new Date().toISOString(), num_routes: 0, routes: [] }),
};

function varz(s: Server): unknown {
  const o = s.opts;
  let outMsgs = s.stats.outMsgs;
  let outBytes = s.stats.outBytes;
  for (const c of s.connections.values()) {
    outMsgs += c.stats.outMsgs;
    outBytes += c.stats.outBytes;
  }
  const mem = process.memoryUsage();
  return {
    server_id: s.id,
    server_name: s.name,
    version: NATS_VERSION,
    tsnats: VERSION,
    proto: 1,
    host: o.host,
    port: s.port,
    max_connections: o.maxConnections,
    ping_interval: o.pingInterval * 1e6,
    ping_max: o.maxPingsOut,
    http_port: s.monitorPort ?? 0,
    auth_required: s.auth.required,
    max_control_line: o.maxControlLine,
    max_payload: o.maxPayload,
    max_pending: o.maxPending,
    write_deadline: o.writeDeadline * 1e6,
    start: s.startedAt.toISOString(),
    now: new Date().toISOString(),
    uptime: `${Math.floor((Date.now() - s.startedAt.getTime()) / 1000)}s`,
    mem: mem.rss,
    cores: availableParallelism(),
    connections: s.connections.size,
    total_connections: s.stats.totalConnections,
    routes: 0,
    in_msgs: s.stats.inMsgs,
    out_msgs: outMsgs,
    in_bytes: s.stats.inBytes,
    out_bytes: outBytes,
    slow_consumers: s.stats.slowConsumers,
    subscriptions: s.router.subscriptionCount,
  };
}

function connz(s: Server, url: URL): unknown {
  const subs = url.searchParams.get("subs") === "true" || url.searchParams.get("subs") === "1";
  const conns = [...s.connections.values()].map((c) => ({
    cid: c.cid,
    ip: c.socket.remoteAddress,
    port: c.socket.remotePort,
    start: c.startedAt.toISOString(),
    pending_bytes: c.out.length + c.socket.writableLength,
    in_msgs: c.stats.inMsgs,
    out_msgs: c.stats.outMsgs,
    in_bytes: c.stats.inBytes,
    out_bytes: c.stats.outBytes,
    subscriptions: s.router.subscriptionsOf(c.cid).length,
    name: c.options.name || undefined,
    lang: c.options.lang || undefined,
    version: c.options.version || undefined,
    account: c.account || undefined,
    authorized_user: c.identity?.user,
    subscriptions_list: subs ? s.router.subscriptionsOf(c.cid) : undefined,
  }));
  return { server_id: s.id, now: new Date().toISOString(), num_connections: conns.length, total: conns.length, offset: 0, limit: conns.length, connections: conns };
}

export async function startMonitor(server: Server, host: string, port: number): Promise<Monitor> {
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const handler = ENDPOINTS[url.pathname] ?? (url.pathname === "/" ? () => ({ endpoints: Object.keys(ENDPOINTS) }) : undefined);
    if (handler === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found\n");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(handler(server, url), null, 2));
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port < 0 ? 0 : port, host, () => resolve());
  });
  const bound = (http.address() as AddressInfo).port;
  server.log.info(`Starting http monitor on ${host}:${bound}`);
  return {
    port: bound,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

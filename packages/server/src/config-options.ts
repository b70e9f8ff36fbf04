import {
  ConfigError,
  type ConfigMap,
  type ConfigValue,
  parseConfigFile,
  parseDuration,
  parseSize,
  positionOf,
} from "@tsnats/config";
import type { AuthorizationOptions, ClusterOptions, JetStreamOptions, ServerOptionsInput, UserEntry } from "./options.js";

/**
 * Turns a parsed config file into server options. Every key must be known (nats-server refuses unknown
 * fields) and every value of the right type; errors name the file, line and column of the offending key.
 */
export function optionsFromConfig(map: ConfigMap, file = "<config>"): ServerOptionsInput {
  const out: ServerOptionsInput = { configFile: file };
  const logging: NonNullable<ServerOptionsInput["logging"]> = {};
  const r = new Reader(map, file);
  for (const key of Object.keys(map)) {
    const v = map[key];
    switch (key) {
      case "listen": {
        const { host, port } = r.hostPort(key, v);
        if (host !== undefined) out.host = host;
        if (port !== undefined) out.port = port;
        break;
      }
      case "host":
      case "net":
        out.host = r.string(key, v);
        break;
      case "port":
        out.port = r.integer(key, v);
        break;
      case "server_name":
        out.serverName = r.string(key, v);
        break;
      case "client_advertise":
        r.string(key, v);
        break;
      case "max_payload":
        out.maxPayload = r.size(key, v);
        break;
      case "max_control_line":
        out.maxControlLine = r.size(key, v);
        break;
      case "max_connections":
      case "max_conn":
        out.maxConnections = r.integer(key, v);
        break;
      case "max_pending":
        out.maxPending = r.size(key, v);
        break;
      case "max_subscriptions":
      case "max_subs":
        r.integer(key, v);
        break;
      case "ping_interval":
        out.pingInterval = r.duration(key, v, true);
        break;
      case "ping_max":
        out.maxPingsOut = r.integer(key, v);
        break;
      case "write_deadline":
        out.writeDeadline = r.duration(key, v, false);
        break;
      case "authorization":
        out.authorization = r.authorization(key, v);
        break;
      case "http":
      case "monitor": {
        const { host, port } = r.hostPort(key, v);
        if (host !== undefined) out.httpHost = host;
        if (port !== undefined) out.httpPort = port;
        break;
      }
      case "http_port":
      case "monitor_port":
        out.httpPort = r.integer(key, v);
        break;
      case "debug":
        logging.debug = r.boolean(key, v);
        break;
      case "trace":
        logging.trace = r.boolean(key, v);
        break;
      case "logtime":
      case "logtime_utc":
        r.boolean(key, v);
        break;
      case "log_file":
      case "logfile":
        logging.logFile = r.string(key, v);
        break;
      case "pid_file":
      case "pidfile":
        out.pidFile = r.string(key, v);
        break;
      case "ports_file_dir":
        out.portsFileDir = r.string(key, v);
        break;
      case "jetstream":
        out.jetstream = r.jetstream(key, v);
        break;
      case "cluster":
        out.cluster = r.cluster(key, v);
        break;
      default:
        throw r.error(key, `unknown field "${key}"`);
    }
  }
  if (Object.keys(logging).length > 0) out.logging = logging;
  return out;
}

/** Reads a config file and turns it into options; throws ConfigError on any problem. */
export function loadConfigFile(path: string): ServerOptionsInput {
  return optionsFromConfig(parseConfigFile(path), path);
}

function isMap(v: ConfigValue): v is ConfigMap {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Typed reads of config values; knows the enclosing map so errors can point at the key. */
class Reader {
  constructor(
    private readonly map: ConfigMap | ConfigValue[],
    private readonly file: string,
  ) {}

  within(map: ConfigMap | ConfigValue[]): Reader {
    return new Reader(map, this.file);
  }

  error(key: string | number, reason: string): ConfigError {
    const pos = positionOf(this.map, key);
    return new ConfigError(pos?.file ?? this.file, pos?.line ?? 0, pos?.col ?? 0, reason);
  }

  string(key: string | number, v: ConfigValue): string {
    if (typeof v !== "string") throw this.error(key, `${String(key)}: expected a string`);
    return v;
  }

  boolean(key: string, v: ConfigValue): boolean {
    if (typeof v !== "boolean") throw this.error(key, `${key}: expected a boolean`);
    return v;
  }

  integer(key: string, v: ConfigValue): number {
    if (typeof v !== "number" || !Number.isInteger(v)) throw this.error(key, `${key}: expected an integer`);
    return v;
  }

  size(key: string, v: ConfigValue): number {
    try {
      if (typeof v !== "number" && typeof v !== "string") throw new Error("not a size");
      return parseSize(v);
    } catch {
      throw this.error(key, `${key}: expected a size (e.g. 1MB)`);
    }
  }

  /**
   * A duration in milliseconds. Strings are Go durations ("2m", "10s"). A bare number is seconds only where
   * nats-server allows it (ping_interval); elsewhere it asks for a duration string, as nats-server does.
   */
  duration(key: string, v: ConfigValue, secondsAllowed: boolean): number {
    if (typeof v === "number" && !secondsAllowed) {
      throw this.error(key, `invalid use of field "${key}": ${key} should be converted to a duration`);
    }
    try {
      if (typeof v !== "number" && typeof v !== "string") throw new Error("not a duration");
      return parseDuration(v, key);
    } catch {
      throw this.error(key, `${key}: expected a duration (e.g. "10s")`);
    }
  }

  hostPort(key: string, v: ConfigValue): { host?: string; port?: number } {
    if (typeof v === "number" && Number.isInteger(v)) return { port: v };
    if (typeof v !== "string") throw this.error(key, `${key}: expected host:port or a port`);
    const colon = v.lastIndexOf(":");
    if (colon < 0) {
      const port = Number(v);
      return Number.isInteger(port) ? { port } : { host: v };
    }
    const port = Number(v.slice(colon + 1));
    if (!Number.isInteger(port)) throw this.error(key, `${key}: bad port in "${v}"`);
    let host = v.slice(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
    return { host: host || undefined, port };
  }

  authorization(key: string, v: ConfigValue): AuthorizationOptions {
    if (!isMap(v)) throw this.error(key, `${key}: expected a map`);
    const r = this.within(v);
    const a: AuthorizationOptions = {};
    for (const k of Object.keys(v)) {
      const x = v[k];
      switch (k) {
        case "user":
        case "username":
          a.user = r.string(k, x);
          break;
        case "password":
        case "pass":
          a.password = r.string(k, x);
          break;
        case "token":
          a.token = r.string(k, x);
          break;
        case "timeout":
          if (typeof x !== "number") throw r.error(k, "timeout: expected a number of seconds");
          a.timeout = x * 1000;
          break;
        case "users":
          a.users = r.users(k, x);
          break;
        default:
          throw r.error(k, `unknown field "${k}"`);
      }
    }
    return a;
  }

  users(key: string, v: ConfigValue): UserEntry[] {
    if (!Array.isArray(v)) throw this.error(key, `${key}: expected a list of users`);
    const r = this.within(v);
    return v.map((u, i) => {
      if (!isMap(u)) throw r.error(i, "user entry: expected a map");
      const ur = this.within(u);
      let user: string | undefined;
      let password = "";
      for (const k of Object.keys(u)) {
        if (k === "user" || k === "username") user = ur.string(k, u[k]);
        else if (k === "password" || k === "pass") password = ur.string(k, u[k]);
        else throw ur.error(k, `unknown field "${k}"`);
      }
      if (user === undefined) throw r.error(i, "user entry without user");
      return { user, password };
    });
  }

  jetstream(key: string, v: ConfigValue): Partial<JetStreamOptions> {
    if (typeof v === "boolean") return { enabled: v };
    if (typeof v === "string") {
      const s = v.toLowerCase();
      if (s === "enabled" || s === "enable" || s === "true") return { enabled: true };
      if (s === "disabled" || s === "disable" || s === "false") return { enabled: false };
      throw this.error(key, `${key}: expected enabled, disabled or a map`);
    }
    if (!isMap(v)) throw this.error(key, `${key}: expected a map`);
    const r = this.within(v);
    const js: Partial<JetStreamOptions> = { enabled: true };
    for (const k of Object.keys(v)) {
      const x = v[k];
      switch (k) {
        case "store_dir":
        case "store":
        case "storedir":
          js.storeDir = r.string(k, x);
          break;
        case "max_memory_store":
        case "max_mem_store":
        case "max_mem":
          js.maxMemoryStore = r.size(k, x);
          break;
        case "max_file_store":
        case "max_file":
          js.maxFileStore = r.size(k, x);
          break;
        case "enabled":
          js.enabled = r.boolean(k, x);
          break;
        case "domain":
        case "sync_interval":
        case "max_outstanding_catchup":
          break;
        default:
          throw r.error(k, `unknown field "${k}"`);
      }
    }
    return js;
  }

  cluster(key: string, v: ConfigValue): Partial<ClusterOptions> {
    if (!isMap(v)) throw this.error(key, `${key}: expected a map`);
    const r = this.within(v);
    const c: Partial<ClusterOptions> = {};
    for (const k of Object.keys(v)) {
      const x = v[k];
      switch (k) {
        case "name":
          c.name = r.string(k, x);
          break;
        case "listen": {
          const hp = r.hostPort(k, x);
          if (hp.host !== undefined) c.host = hp.host;
          if (hp.port !== undefined) c.port = hp.port;
          break;
        }
        case "host":
          c.host = r.string(k, x);
          break;
        case "port":
          c.port = r.integer(k, x);
          break;
        case "routes": {
          if (!Array.isArray(x)) throw r.error(k, "routes: expected a list of URLs");
          const rr = r.within(x);
          c.routes = x.map((u, i) => rr.string(i, u));
          break;
        }
        case "no_advertise":
        case "connect_retries":
        case "advertise":
        case "cluster_advertise":
        case "authorization":
        case "pool_size":
          break;
        default:
          throw r.error(k, `unknown field "${k}"`);
      }
    }
    return c;
  }
}

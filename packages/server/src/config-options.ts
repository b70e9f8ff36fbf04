import { readAccounts, readPermissions, validateAccounts } from "@tsnats/accounts";
import { type ConfigMap, ConfigReader, type ConfigValue, parseConfigFile } from "@tsnats/config";
import {
  type AuthorizationOptions,
  type ClusterOptions,
  type JetStreamOptions,
  type ServerOptionsInput,
  type ShardOptions,
  type UserEntry,
  accountsView,
  resolveOptions,
} from "./options.js";

/**
 * Turns a parsed config file into server options. Every key must be known (nats-server refuses unknown
 * fields) and every value of the right type; errors name the file, line and column of the offending key.
 * The accounts are validated as a whole too (imports authorized, no cycles, no_auth_user exists).
 */
export function optionsFromConfig(map: ConfigMap, file = "<config>"): ServerOptionsInput {
  const out: ServerOptionsInput = { configFile: file };
  const logging: NonNullable<ServerOptionsInput["logging"]> = {};
  const r = new ConfigReader(map, file);
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
        out.authorization = readAuthorization(r, key, v);
        break;
      case "accounts":
        out.accounts = readAccounts(r, key, v);
        break;
      case "no_auth_user":
        out.noAuthUser = r.string(key, v);
        break;
      case "system_account":
        out.systemAccount = r.string(key, v);
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
        out.jetstream = readJetStream(r, key, v);
        break;
      case "cluster":
        out.cluster = readCluster(r, key, v);
        break;
      case "shards":
        out.shards = readShards(r, key, v);
        break;
      default:
        throw r.unknown(key);
    }
  }
  if (Object.keys(logging).length > 0) out.logging = logging;
  const a = out.authorization;
  const hasAccounts = (out.accounts?.length ?? 0) > 0;
  if (a !== undefined) {
    if (a.user !== undefined && hasAccounts) throw r.error("authorization", "Can not have a single user/pass and accounts");
    if (a.token !== undefined && hasAccounts) throw r.error("authorization", "Can not have a token and accounts");
    if (a.user !== undefined && (a.users?.length ?? 0) > 0) throw r.error("authorization", "Can not have a single user/pass and a users array");
    if (a.token !== undefined && (a.users?.length ?? 0) > 0) throw r.error("authorization", "Can not have a token and a users array");
  }
  validateAccounts(accountsView(resolveOptions(out)));
  return out;
}

/** Reads a config file and turns it into options; throws ConfigError (or a plain Error) on any problem. */
export function loadConfigFile(path: string): ServerOptionsInput {
  return optionsFromConfig(parseConfigFile(path), path);
}

function readAuthorization(r: ConfigReader, key: string, v: ConfigValue): AuthorizationOptions {
  const map = r.map(key, v);
  const ar = r.within(map);
  const a: AuthorizationOptions = {};
  for (const k of Object.keys(map)) {
    const x = map[k];
    switch (k) {
      case "user":
      case "username":
        a.user = ar.string(k, x);
        break;
      case "password":
      case "pass":
        a.password = ar.string(k, x);
        break;
      case "token":
        a.token = ar.string(k, x);
        break;
      case "timeout":
        a.timeout = ar.number(k, x) * 1000;
        break;
      case "users": {
        const list = ar.list(k, x);
        const lr = ar.within(list);
        a.users = list.map((u, i) => readAuthUser(lr, i, u));
        break;
      }
      case "permissions":
        break; // default permissions of the single user: accepted, applied by nats-server only to that user
      default:
        throw ar.unknown(k);
    }
  }
  return a;
}

function readAuthUser(r: ConfigReader, index: number, v: ConfigValue): UserEntry {
  const map = r.map(index, v);
  const ur = r.within(map);
  const u: UserEntry = {};
  for (const k of Object.keys(map)) {
    const x = map[k];
    if (k === "user" || k === "username") u.user = ur.string(k, x);
    else if (k === "password" || k === "pass") u.password = ur.string(k, x);
    else if (k === "nkey") u.nkey = ur.string(k, x);
    else if (k === "permissions" || k === "permission") u.permissions = readPermissions(ur, k, x);
    else throw ur.unknown(k);
  }
  if (u.user === undefined && u.nkey === undefined) throw r.error(index, "user entry needs a user or an nkey");
  return u;
}

function readJetStream(r: ConfigReader, key: string, v: ConfigValue): Partial<JetStreamOptions> {
  if (typeof v === "boolean") return { enabled: v };
  if (typeof v === "string") {
    const s = v.toLowerCase();
    if (s === "enabled" || s === "enable" || s === "true") return { enabled: true };
    if (s === "disabled" || s === "disable" || s === "false") return { enabled: false };
    throw r.error(key, `${key}: expected enabled, disabled or a map`);
  }
  const map = r.map(key, v);
  const jr = r.within(map);
  const js: Partial<JetStreamOptions> = { enabled: true };
  for (const k of Object.keys(map)) {
    const x = map[k];
    switch (k) {
      case "store_dir":
      case "store":
      case "storedir":
        js.storeDir = jr.string(k, x);
        break;
      case "max_memory_store":
      case "max_mem_store":
      case "max_mem":
        js.maxMemoryStore = jr.size(k, x);
        break;
      case "max_file_store":
      case "max_file":
        js.maxFileStore = jr.size(k, x);
        break;
      case "enabled":
        js.enabled = jr.boolean(k, x);
        break;
      case "sync_interval":
        js.syncInterval = typeof x === "string" && x.toLowerCase() === "always" ? "always" : jr.duration(k, x, false);
        break;
      case "domain":
      case "max_outstanding_catchup":
        break;
      default:
        throw jr.unknown(k);
    }
  }
  return js;
}

/**
 * tsnats' own block: the routing core's shards. `shards: 4`, or `shards { count: 4, in_process: false,
 * pin { ACCOUNT: 0 } }`.
 */
function readShards(r: ConfigReader, key: string, v: ConfigValue): Partial<ShardOptions> {
  if (typeof v === "number") return { count: r.integer(key, v) };
  const map = r.map(key, v);
  const sr = r.within(map);
  const out: Partial<ShardOptions> = {};
  for (const k of Object.keys(map)) {
    const x = map[k];
    switch (k) {
      case "count":
        out.count = sr.integer(k, x);
        if (out.count < 1) throw sr.error(k, "shards: count must be at least 1");
        break;
      case "in_process":
        out.inProcess = sr.boolean(k, x);
        break;
      case "pin": {
        const pins = sr.map(k, x);
        const pr = sr.within(pins);
        out.pin = {};
        for (const account of Object.keys(pins)) {
          const n = pr.integer(account, pins[account]);
          if (n < 0) throw pr.error(account, "shards: a pinned shard index must be 0 or more");
          out.pin[account] = n;
        }
        break;
      }
      default:
        throw sr.unknown(k);
    }
  }
  return out;
}

function readCluster(r: ConfigReader, key: string, v: ConfigValue): Partial<ClusterOptions> {
  const map = r.map(key, v);
  const cr = r.within(map);
  const c: Partial<ClusterOptions> = {};
  for (const k of Object.keys(map)) {
    const x = map[k];
    switch (k) {
      case "name":
        c.name = cr.string(k, x);
        break;
      case "listen": {
        const hp = cr.hostPort(k, x);
        if (hp.host !== undefined) c.host = hp.host;
        if (hp.port !== undefined) c.port = hp.port;
        break;
      }
      case "host":
        c.host = cr.string(k, x);
        break;
      case "port":
        c.port = cr.integer(k, x);
        break;
      case "routes":
        c.routes = cr.strings(k, x);
        break;
      case "no_advertise":
      case "connect_retries":
      case "advertise":
      case "cluster_advertise":
      case "authorization":
      case "pool_size":
        break;
      default:
        throw cr.unknown(k);
    }
  }
  return c;
}

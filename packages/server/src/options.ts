import { availableParallelism } from "node:os";
import { type AccountConfig, type AccountsOptions, DEFAULT_SYSTEM_ACCOUNT, GLOBAL_ACCOUNT, type UserConfig } from "@tsnats/accounts";

/** The server's settings, typed. Durations are milliseconds, sizes bytes. Defaults are nats-server's. */

/** A user of the `authorization` block (it lives in the global account). */
export type UserEntry = Omit<UserConfig, "account">;

export interface AuthorizationOptions {
  /** Single user/password (`authorization { user, password }`, `--user/--pass`). */
  user?: string;
  password?: string;
  /** `authorization { token }`, `--auth`. */
  token?: string;
  /** `authorization { users: [...] }`. */
  users?: UserEntry[];
  /** How long a client has to send CONNECT when auth is required (`authorization { timeout }`). */
  timeout?: number;
}

export interface JetStreamOptions {
  enabled: boolean;
  storeDir?: string;
  /** How often committed data is flushed to disk (ms), or "always" (every commit). Default 2 minutes. */
  syncInterval?: number | "always";
  maxMemoryStore?: number;
  maxFileStore?: number;
}

export interface ClusterOptions {
  name?: string;
  host?: string;
  port?: number;
  routes: string[];
}

export interface ShardOptions {
  /** Number of shards (default: the number of CPU cores). */
  count: number;
  /** Run the shards in the main thread instead of worker threads. */
  inProcess: boolean;
  /** Accounts pinned to a shard index. */
  pin: Record<string, number>;
}

export type LogFormat = "pretty" | "json";

export interface LoggingOptions {
  debug: boolean;
  trace: boolean;
  /** Where logs go: stderr (default) or a file. */
  logFile?: string;
  /** Human-readable or JSON; by default pretty on a terminal and JSON otherwise. */
  format?: LogFormat;
}

export interface ServerOptions {
  host: string;
  /** 0 or -1: any free port. */
  port: number;
  serverName?: string;
  maxPayload: number;
  maxControlLine: number;
  maxConnections: number;
  /** Unflushed bytes a connection may have before it is closed as a slow consumer. */
  maxPending: number;
  pingInterval: number;
  maxPingsOut: number;
  writeDeadline: number;
  authorization: AuthorizationOptions;
  jetstream: JetStreamOptions;
  cluster: ClusterOptions;
  /** `accounts { ... }`: tenants with their users, exports and imports. */
  accounts: AccountConfig[];
  /** Clients that present no credentials are this user. */
  noAuthUser?: string;
  systemAccount: string;
  /** The routing core: how many shards, where they run, which accounts are pinned where. */
  shards: ShardOptions;
  /** HTTP monitoring port (0: off; -1: any free port). */
  httpPort: number;
  httpHost?: string;
  logging: LoggingOptions;
  pidFile?: string;
  portsFileDir?: string;
  /** The config file the options came from, if any (for logs). */
  configFile?: string;
}

export const DEFAULTS = Object.freeze({
  host: "0.0.0.0",
  port: 4222,
  maxPayload: 1024 * 1024,
  maxControlLine: 4096,
  maxConnections: 64 * 1024,
  maxPending: 64 * 1024 * 1024,
  pingInterval: 2 * 60 * 1000,
  maxPingsOut: 2,
  writeDeadline: 10 * 1000,
  authTimeout: 2 * 1000,
});

/** Options as a caller may give them: anything left out takes its default. */
export type ServerOptionsInput = Partial<Omit<ServerOptions, "authorization" | "jetstream" | "cluster" | "logging" | "shards">> & {
  shards?: Partial<ShardOptions>;
  authorization?: AuthorizationOptions;
  jetstream?: Partial<JetStreamOptions>;
  cluster?: Partial<ClusterOptions>;
  logging?: Partial<LoggingOptions>;
};

export function resolveOptions(input: ServerOptionsInput = {}): ServerOptions {
  return {
    host: input.host ?? DEFAULTS.host,
    port: input.port ?? DEFAULTS.port,
    serverName: input.serverName,
    maxPayload: input.maxPayload ?? DEFAULTS.maxPayload,
    maxControlLine: input.maxControlLine ?? DEFAULTS.maxControlLine,
    maxConnections: input.maxConnections ?? DEFAULTS.maxConnections,
    maxPending: input.maxPending ?? DEFAULTS.maxPending,
    pingInterval: input.pingInterval ?? DEFAULTS.pingInterval,
    maxPingsOut: input.maxPingsOut ?? DEFAULTS.maxPingsOut,
    writeDeadline: input.writeDeadline ?? DEFAULTS.writeDeadline,
    authorization: { ...input.authorization },
    jetstream: { enabled: false, ...input.jetstream },
    cluster: { routes: [], ...input.cluster },
    accounts: input.accounts ?? [],
    shards: { count: availableParallelism(), inProcess: false, pin: {}, ...input.shards },
    noAuthUser: input.noAuthUser,
    systemAccount: input.systemAccount ?? DEFAULT_SYSTEM_ACCOUNT,
    httpPort: input.httpPort ?? 0,
    httpHost: input.httpHost,
    logging: { debug: false, trace: false, ...input.logging },
    pidFile: input.pidFile,
    portsFileDir: input.portsFileDir,
    configFile: input.configFile,
  };
}

/**
 * Everything about who may connect and where they live, in one view: the `authorization` block's users
 * and token (global account), the configured accounts, and the global and system accounts, which always
 * exist.
 */
export function accountsView(opts: ServerOptions): AccountsOptions {
  const a = opts.authorization;
  const users: UserConfig[] = (a.users ?? []).map((u) => ({ ...u, account: GLOBAL_ACCOUNT }));
  if (a.user !== undefined) users.push({ user: a.user, password: a.password ?? "", account: GLOBAL_ACCOUNT });
  const accounts = [...opts.accounts];
  for (const name of [GLOBAL_ACCOUNT, opts.systemAccount]) {
    if (!accounts.some((acc) => acc.name === name)) accounts.push({ name, users: [], exports: [], imports: [] });
  }
  const view: AccountsOptions = { accounts, users, systemAccount: opts.systemAccount };
  if (a.token !== undefined) view.token = a.token;
  if (opts.noAuthUser !== undefined) view.noAuthUser = opts.noAuthUser;
  return view;
}

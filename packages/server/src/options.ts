/** The server's settings, typed. Durations are milliseconds, sizes bytes. Defaults are nats-server's. */

export interface UserEntry {
  user: string;
  password: string;
}

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
  maxMemoryStore?: number;
  maxFileStore?: number;
}

export interface ClusterOptions {
  name?: string;
  host?: string;
  port?: number;
  routes: string[];
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
export type ServerOptionsInput = Partial<Omit<ServerOptions, "authorization" | "jetstream" | "cluster" | "logging">> & {
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
    httpPort: input.httpPort ?? 0,
    httpHost: input.httpHost,
    logging: { debug: false, trace: false, ...input.logging },
    pidFile: input.pidFile,
    portsFileDir: input.portsFileDir,
    configFile: input.configFile,
  };
}

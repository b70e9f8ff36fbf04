/** The CONNECT op's JSON, as clients send it (snake_case as on the wire). */
export interface ConnectOptions {
  verbose?: boolean;
  pedantic?: boolean;
  tls_required?: boolean;
  auth_token?: string;
  user?: string;
  pass?: string;
  name?: string;
  lang?: string;
  version?: string;
  protocol?: number;
  echo?: boolean;
  headers?: boolean;
  no_responders?: boolean;
  sig?: string;
  nkey?: string;
  jwt?: string;
}

/** The options a connection runs with. */
export interface ClientOptions {
  verbose: boolean;
  pedantic: boolean;
  echo: boolean;
  headers: boolean;
  noResponders: boolean;
  name: string;
  lang: string;
  version: string;
}

/**
 * A client that never sends CONNECT is served with these, like nats-server (verbose and pedantic on);
 * CONNECT then changes only the fields it names.
 */
export function defaultClientOptions(): ClientOptions {
  return { verbose: true, pedantic: true, echo: true, headers: false, noResponders: false, name: "", lang: "", version: "" };
}

/** Parses CONNECT's JSON; undefined when it is not a JSON object. */
export function parseConnect(json: string): ConnectOptions | undefined {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
  return v as ConnectOptions;
}

export function applyConnect(opts: ClientOptions, c: ConnectOptions): void {
  if (typeof c.verbose === "boolean") opts.verbose = c.verbose;
  if (typeof c.pedantic === "boolean") opts.pedantic = c.pedantic;
  if (typeof c.echo === "boolean") opts.echo = c.echo;
  if (typeof c.headers === "boolean") opts.headers = c.headers;
  if (typeof c.no_responders === "boolean") opts.noResponders = c.no_responders;
  if (typeof c.name === "string") opts.name = c.name;
  if (typeof c.lang === "string") opts.lang = c.lang;
  if (typeof c.version === "string") opts.version = c.version;
}

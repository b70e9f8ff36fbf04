/**
 * Accounts, users, permissions, exports and imports, typed: what the `accounts { ... }` and
 * `authorization { ... }` blocks of a config file describe (field meanings as in the NATS docs).
 */

/** Allow and deny lists of subjects (wildcards allowed); no allow list means "everything". */
export interface SubjectPermission {
  allow?: string[];
  deny?: string[];
}

/** `allow_responses`: the user may publish to the reply subjects of requests it received. */
export interface ResponsePermission {
  /** Replies allowed per request. */
  max: number;
  /** How long after the request the replies are allowed, in ms (0: no limit). */
  expires: number;
}

export interface Permissions {
  publish?: SubjectPermission;
  subscribe?: SubjectPermission;
  allowResponses?: ResponsePermission;
}

export interface UserConfig {
  /** User name (password users). */
  user?: string;
  /** Plain text or bcrypt (`$2a$...`). */
  password?: string;
  /** Public user nkey (`U...`); the client proves it holds the seed by signing the INFO nonce. */
  nkey?: string;
  permissions?: Permissions;
  /** The account the user belongs to. */
  account: string;
}

export type ResponseType = "singleton" | "stream" | "chunked";

export interface StreamExport {
  kind: "stream";
  subject: string;
  /** Private export: only these accounts may import it. Absent: public. */
  accounts?: string[];
}

export interface ServiceExport {
  kind: "service";
  subject: string;
  accounts?: string[];
  responseType: ResponseType;
  /** How long a response mapping waits for (more) replies, in ms. */
  responseThreshold: number;
}

export type ExportConfig = StreamExport | ServiceExport;

export interface StreamImport {
  kind: "stream";
  /** The exporting account. */
  account: string;
  /** The subject as the exporter publishes it (may hold wildcards). */
  subject: string;
  /** Messages arrive as `<prefix>.<subject>`. */
  prefix?: string;
  /** Messages arrive on this subject instead (wildcards map token for token). */
  to?: string;
}

export interface ServiceImport {
  kind: "service";
  account: string;
  /** The subject as the exporter serves it. */
  subject: string;
  /** The importer sends requests to this subject (default: the same as `subject`). */
  to?: string;
}

export type ImportConfig = StreamImport | ServiceImport;

export interface AccountConfig {
  name: string;
  users: UserConfig[];
  exports: ExportConfig[];
  imports: ImportConfig[];
  /** The account's `jetstream` setting: absent or disabled means no JetStream in this account. */
  jetstream?: AccountJetStreamConfig;
}

/** `jetstream: enabled` or `jetstream { max_mem, max_file, max_streams, max_consumers }`; -1 is unlimited. */
export interface AccountJetStreamConfig {
  enabled: boolean;
  maxMemory: number;
  maxStorage: number;
  maxStreams: number;
  maxConsumers: number;
}

/** Everything about accounts and who may connect. */
export interface AccountsOptions {
  /** Configured accounts, plus the global account `$G` (always present) and the system account. */
  accounts: AccountConfig[];
  /** Users of the `authorization` block (in `$G`). */
  users: UserConfig[];
  /** `authorization { token }`: clients presenting it join `$G`. */
  token?: string;
  /** Clients that present no credentials are this user. */
  noAuthUser?: string;
  systemAccount: string;
}

export const GLOBAL_ACCOUNT = "$G";
export const DEFAULT_SYSTEM_ACCOUNT = "$SYS";
/** nats-server's default time a service response mapping lives (2 minutes). */
export const DEFAULT_RESPONSE_THRESHOLD = 2 * 60 * 1000;
/** `allow_responses: true`: one reply per request, within nats-server's default 2 minutes. */
export const DEFAULT_ALLOW_RESPONSES: Readonly<{ max: number; expires: number }> = Object.freeze({ max: 1, expires: 2 * 60 * 1000 });

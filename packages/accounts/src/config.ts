import { type ConfigMap, type ConfigPosition, type ConfigReader, type ConfigValue, positionOf } from "@tsnats/config";
import {
  type AccountConfig,
  type AccountJetStreamConfig,
  DEFAULT_ALLOW_RESPONSES,
  DEFAULT_RESPONSE_THRESHOLD,
  type ExportConfig,
  type ImportConfig,
  type Permissions,
  type ResponsePermission,
  type ResponseType,
  type SubjectPermission,
  type UserConfig,
} from "./types.js";

/**
 * Reading the `accounts { ... }` block and user entries into typed config. Where an entry was written is
 * kept aside (not on the objects) so that cross-account validation can still point at the file and line.
 */
const written = new WeakMap<object, ConfigPosition>();

export function whereWritten(entry: object): ConfigPosition | undefined {
  return written.get(entry);
}

function remember<T extends object>(entry: T, container: ConfigMap | ConfigValue[], key: string | number): T {
  const pos = positionOf(container, key);
  if (pos !== undefined) written.set(entry, pos);
  return entry;
}

/** `accounts { NAME: { users, exports, imports, ... } }` */
export function readAccounts(r: ConfigReader, key: string, v: ConfigValue): AccountConfig[] {
  const map = r.map(key, v);
  const ar = r.within(map);
  return Object.keys(map).map((name) => remember(readAccount(ar, name, map[name]), map, name));
}

function readAccount(r: ConfigReader, name: string, v: ConfigValue): AccountConfig {
  const acc: AccountConfig = { name, users: [], exports: [], imports: [] };
  const map = r.map(name, v);
  const ar = r.within(map);
  let defaults: Permissions | undefined;
  for (const k of Object.keys(map)) {
    const x = map[k];
    switch (k) {
      case "users": {
        const list = ar.list(k, x);
        const lr = ar.within(list);
        acc.users = list.map((u, i) => remember(readUser(lr, i, u, name), list, i));
        break;
      }
      case "exports": {
        const list = ar.list(k, x);
        const lr = ar.within(list);
        acc.exports = list.map((e, i) => remember(readExport(lr, i, e), list, i));
        break;
      }
      case "imports": {
        const list = ar.list(k, x);
        const lr = ar.within(list);
        acc.imports = list.map((e, i) => remember(readImport(lr, i, e), list, i));
        break;
      }
      case "default_permissions":
        defaults = readPermissions(ar, k, x);
        break;
      case "jetstream":
        acc.jetstream = readAccountJetStream(ar, k, x);
        break;
      default:
        throw ar.unknown(k);
    }
  }
  if (defaults !== undefined) for (const u of acc.users) u.permissions ??= defaults;
  return acc;
}

/** A user entry: `{user, password}`, `{nkey}`, either with `permissions`. */
export function readUser(r: ConfigReader, key: string | number, v: ConfigValue, account: string): UserConfig {
  const map = r.map(key, v);
  const ur = r.within(map);
  const u: UserConfig = { account };
  for (const k of Object.keys(map)) {
    const x = map[k];
    switch (k) {
      case "user":
      case "username":
        u.user = ur.string(k, x);
        break;
      case "password":
      case "pass":
        u.password = ur.string(k, x);
        break;
      case "nkey":
        u.nkey = ur.string(k, x);
        break;
      case "permissions":
      case "permission":
        u.permissions = readPermissions(ur, k, x);
        break;
      default:
        throw ur.unknown(k);
    }
  }
  if (u.user === undefined && u.nkey === undefined) throw r.error(key, "user entry needs a user or an nkey");
  if (u.nkey !== undefined && !u.nkey.startsWith("U")) throw r.error(key, `Not a valid public user nkey: ${u.nkey}`);
  return u;
}

export function readPermissions(r: ConfigReader, key: string, v: ConfigValue): Permissions {
  const map = r.map(key, v);
  const pr = r.within(map);
  const p: Permissions = {};
  for (const k of Object.keys(map)) {
    const x = map[k];
    switch (k) {
      case "publish":
      case "pub":
        p.publish = readSubjectPermission(pr, k, x);
        break;
      case "subscribe":
      case "sub":
        p.subscribe = readSubjectPermission(pr, k, x);
        break;
      case "allow_responses":
      case "allow_response":
        p.allowResponses = readResponsePermission(pr, k, x);
        break;
      default:
        throw pr.unknown(k);
    }
  }
  return p;
}

/** A list (the allow list) or `{ allow, deny }`. */
function readSubjectPermission(r: ConfigReader, key: string, v: ConfigValue): SubjectPermission {
  if (typeof v === "string" || Array.isArray(v)) return { allow: r.strings(key, v) };
  const map = r.map(key, v);
  const sr = r.within(map);
  const sp: SubjectPermission = {};
  for (const k of Object.keys(map)) {
    if (k === "allow") sp.allow = sr.strings(k, map[k]);
    else if (k === "deny") sp.deny = sr.strings(k, map[k]);
    else throw sr.unknown(k);
  }
  return sp;
}

/** `allow_responses: true` or `{ max, expires }`. */
function readResponsePermission(r: ConfigReader, key: string, v: ConfigValue): ResponsePermission | undefined {
  if (typeof v === "boolean") return v ? { ...DEFAULT_ALLOW_RESPONSES } : undefined;
  const map = r.map(key, v);
  const rr = r.within(map);
  const rp: ResponsePermission = { ...DEFAULT_ALLOW_RESPONSES };
  for (const k of Object.keys(map)) {
    if (k === "max") rp.max = rr.integer(k, map[k]);
    else if (k === "expires" || k === "ttl") rp.expires = rr.duration(k, map[k], false);
    else throw rr.unknown(k);
  }
  return rp;
}

function readResponseType(r: ConfigReader, key: string, v: ConfigValue): ResponseType {
  const s = r.string(key, v).toLowerCase();
  if (s === "singleton" || s === "single") return "singleton";
  if (s === "stream") return "stream";
  if (s === "chunked") return "chunked";
  throw r.error(key, `unknown response type: "${s}"`);
}

/** `{stream: subject}` or `{service: subject}`, with `accounts`, `response_type`, `response_threshold`. */
function readExport(r: ConfigReader, index: number, v: ConfigValue): ExportConfig {
  const map = r.map(index, v);
  const er = r.within(map);
  let stream: string | undefined;
  let service: string | undefined;
  let accounts: string[] | undefined;
  let responseType: ResponseType = "singleton";
  let responseThreshold = DEFAULT_RESPONSE_THRESHOLD;
  for (const k of Object.keys(map)) {
    const x = map[k];
    switch (k) {
      case "stream":
        stream = er.string(k, x);
        break;
      case "service":
        service = er.string(k, x);
        break;
      case "accounts":
        accounts = er.strings(k, x);
        break;
      case "response_type":
      case "response":
        responseType = readResponseType(er, k, x);
        break;
      case "response_threshold":
        responseThreshold = er.duration(k, x, false);
        break;
      case "latency":
      case "allow_trace":
        break; // accepted, not acted on
      default:
        throw er.unknown(k);
    }
  }
  if ((stream === undefined) === (service === undefined)) throw r.error(index, "export needs exactly one of stream or service");
  if (stream !== undefined) {
    if (responseType !== "singleton") throw r.error(index, "Detected response directive on non-service");
    return accounts === undefined ? { kind: "stream", subject: stream } : { kind: "stream", subject: stream, accounts };
  }
  const e: ExportConfig = { kind: "service", subject: service!, responseType, responseThreshold };
  if (accounts !== undefined) e.accounts = accounts;
  return e;
}

/** `{stream: {account, subject}, prefix|to}` or `{service: {account, subject}, to}`. */
function readImport(r: ConfigReader, index: number, v: ConfigValue): ImportConfig {
  const map = r.map(index, v);
  const ir = r.within(map);
  let kind: "stream" | "service" | undefined;
  let account: string | undefined;
  let subject: string | undefined;
  let prefix: string | undefined;
  let to: string | undefined;
  for (const k of Object.keys(map)) {
    const x = map[k];
    switch (k) {
      case "stream":
      case "service": {
        if (kind !== undefined) throw ir.error(k, "import needs exactly one of stream or service");
        kind = k;
        const src = ir.map(k, x);
        const sr = ir.within(src);
        for (const sk of Object.keys(src)) {
          if (sk === "account") account = sr.string(sk, src[sk]);
          else if (sk === "subject") subject = sr.string(sk, src[sk]);
          else throw sr.unknown(sk);
        }
        if (account === undefined) throw ir.error(k, `${k} import needs an account`);
        if (subject === undefined) throw ir.error(k, `${k} import needs a subject`);
        break;
      }
      case "prefix":
        prefix = ir.string(k, x);
        break;
      case "to":
        to = ir.string(k, x);
        break;
      case "share":
      case "allow_trace":
        break; // accepted, not acted on
      default:
        throw ir.unknown(k);
    }
  }
  if (kind === undefined) throw r.error(index, "import needs one of stream or service");
  if (kind === "service") {
    if (prefix !== undefined) throw r.error(index, "Detected prefix on service import, use to");
    return to === undefined ? { kind, account: account!, subject: subject! } : { kind, account: account!, subject: subject!, to };
  }
  const imp: ImportConfig = { kind, account: account!, subject: subject! };
  if (prefix !== undefined) imp.prefix = prefix;
  if (to !== undefined) imp.to = to;
  return imp;
}

/** An account's `jetstream`: enabled/disabled (or a boolean), or a map of limits (which enables it). */
function readAccountJetStream(r: ConfigReader, key: string, v: ConfigValue): AccountJetStreamConfig {
  const js: AccountJetStreamConfig = { enabled: true, maxMemory: -1, maxStorage: -1, maxStreams: -1, maxConsumers: -1 };
  if (typeof v === "boolean") return { ...js, enabled: v };
  if (typeof v === "string") {
    const s = v.toLowerCase();
    if (s === "enabled" || s === "enable" || s === "true") return js;
    if (s === "disabled" || s === "disable" || s === "false") return { ...js, enabled: false };
    throw r.error(key, `${key}: expected enabled, disabled or a map of limits`);
  }
  const map = r.map(key, v);
  const jr = r.within(map);
  for (const k of Object.keys(map)) {
    const x = map[k];
    switch (k) {
      case "max_mem":
      case "max_memory":
        js.maxMemory = jr.size(k, x);
        break;
      case "max_file":
      case "max_store":
      case "max_storage":
        js.maxStorage = jr.size(k, x);
        break;
      case "max_streams":
        js.maxStreams = jr.integer(k, x);
        break;
      case "max_consumers":
        js.maxConsumers = jr.integer(k, x);
        break;
      case "max_bytes_required":
      case "max_ack_pending":
      case "mem_max_stream_bytes":
      case "disk_max_stream_bytes":
        break; // accepted, not acted on
      default:
        throw jr.unknown(k);
    }
  }
  return js;
}

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { API_PREFIX, AccountJetStream, type AccountHost, type JetStreamLimits, type ServerResources, handleApi, notEnabledResponse } from "@tsnats/jetstream";
import { type AccountStore, LmdbAccountStore, MemoryAccountStore, messageSize } from "@tsnats/store";

/** JetStream as a shard is told it: where accounts' data lives and which accounts have it (with limits). */
export interface ShardJetStreamConfig {
  /** Directory holding one sub-directory per account; undefined keeps everything in memory. */
  storeDir: string | undefined;
  /** Accounts with JetStream enabled, and their limits. Others get "not enabled for account". */
  accounts: Record<string, JetStreamLimits>;
  /** Flush committed data to disk every this many ms, or on every commit ("always"). */
  syncInterval: number | "always";
  /** The server's own limits (max_memory_store, max_file_store), -1 for none. */
  maxMemory: number;
  maxStore: number;
}

const DOLLAR = 0x24;

/** Opens an account's store: an LMDB environment of its own (so the account can move), or memory. */
export function openAccountStore(cfg: ShardJetStreamConfig, account: string): AccountStore {
  if (cfg.storeDir === undefined) return new MemoryAccountStore();
  const dir = join(cfg.storeDir, "jetstream", account);
  mkdirSync(dir, { recursive: true });
  return new LmdbAccountStore(dir, { syncAlways: cfg.syncInterval === "always" });
}

/** Builds an account's JetStream, wired to publish into the account through `publish`. */
export function openAccountJetStream(
  cfg: ShardJetStreamConfig,
  account: string,
  publish: AccountHost["publish"],
  hasInterest: AccountHost["hasInterest"],
  subscribe: AccountHost["subscribe"],
  capturesChanged: () => void,
  server: ServerResources | undefined,
): AccountJetStream | undefined {
  const limits = cfg.accounts[account];
  if (limits === undefined) return undefined;
  const host: AccountHost = {
    publish,
    hasInterest,
    subscribe,
    capturesChanged,
    server,
    messageSize: (subject, headers, data, memory) => messageSize(subject, headers, data, memory ? "memory" : "file"),
  };
  return new AccountJetStream(account, limits, openAccountStore(cfg, account), host, cfg.syncInterval === "always" ? 0 : cfg.syncInterval);
}

/**
 * The JetStream part of routing a message in an account: `$JS.API.` requests go to the API (or get "not
 * enabled" in an account without JetStream on a JetStream server), messages on a stream's subjects are
 * stored. Returns whether JetStream took the message (it counts as interest for no-responders).
 * `replyOf`: the caller's reference to this publish, handed back with its PubAck (see AccountHost.publish).
 */
export function routeToJetStream(
  js: AccountJetStream | undefined,
  jetstreamOn: boolean,
  subject: string,
  reply: string | undefined,
  hdr: number,
  data: Uint8Array,
  replyNotEnabled: (reply: string, body: unknown) => void,
  once = false,
  replyOf = -1,
): boolean {
  // Every JetStream control subject starts with '$': one comparison spares the rest (stream subjects,
  // reply subjects) three prefix tests.
  const dollar = subject.charCodeAt(0) === DOLLAR;
  if (dollar && subject.startsWith(API_PREFIX)) {
    if (js !== undefined) return handleApi(js, subject, reply, headersOf(data, hdr), payloadOf(data, hdr));
    // On a JetStream server every account's `$JS.API.>` has a responder, even where it answers nothing.
    if (!jetstreamOn) return false;
    const body = reply === undefined ? undefined : notEnabledResponse(subject);
    if (body !== undefined) replyNotEnabled(reply!, body);
    return true;
  }
  if (js === undefined) return false;
  if (dollar && subject.startsWith("$JS.ACK.")) return js.handleAck(subject, reply, payloadOf(data, hdr));
  if (dollar && subject.startsWith("$JS.FC.")) return js.handleFlowControl(subject);
  const stream = js.streamFor(subject, once);
  if (stream === undefined) return false;
  js.publishToStream(stream, subject, reply, headersOf(data, hdr), payloadOf(data, hdr), replyOf);
  return true;
}

// A routed message's header block and payload (`hdr`: header bytes at the front, -1 for none). Above, views
// are made only where JetStream takes the message: most messages routed here (replies, other subjects)
// are not JetStream's, and two views each were garbage.
export function headersOf(data: Uint8Array, hdr: number): Uint8Array | undefined {
  return hdr > 0 ? data.subarray(0, hdr) : undefined;
}

export function payloadOf(data: Uint8Array, hdr: number): Uint8Array {
  return hdr >= 0 ? data.subarray(hdr) : data;
}

import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type AccountConfig, GLOBAL_ACCOUNT } from "@tsnats/accounts";
import { DEFAULT_SYNC_INTERVAL, UNLIMITED, type JetStreamLimits } from "@tsnats/jetstream";
import type { ShardJetStreamConfig } from "@tsnats/router";
import type { ServerOptions } from "./options.js";

/**
 * Where JetStream lives and who has it, as the shards are told. Without configured accounts the global
 * account has JetStream; with accounts, only those that enable it (as nats-server does).
 */
export function jetstreamConfig(opts: ServerOptions, accounts: AccountConfig[]): ShardJetStreamConfig | undefined {
  const js = opts.jetstream;
  if (!js.enabled) return undefined;
  const storeDir = resolve(js.storeDir ?? join(tmpdir(), "tsnats", "jetstream-data"));
  const enabled: Record<string, JetStreamLimits> = {};
  if (opts.accounts.length === 0) {
    enabled[GLOBAL_ACCOUNT] = { ...UNLIMITED };
  } else {
    for (const acc of accounts) {
      const a = acc.jetstream;
      if (a === undefined || !a.enabled || acc.name === opts.systemAccount) continue;
      enabled[acc.name] = { maxMemory: a.maxMemory, maxStorage: a.maxStorage, maxStreams: a.maxStreams, maxConsumers: a.maxConsumers };
    }
  }
  return {
    storeDir,
    accounts: enabled,
    syncInterval: js.syncInterval ?? DEFAULT_SYNC_INTERVAL,
    maxMemory: js.maxMemoryStore ?? -1,
    maxStore: js.maxFileStore ?? -1,
  };
}

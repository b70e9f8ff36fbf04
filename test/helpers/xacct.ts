import type { NatsConnection } from "nats";
import { expect } from "vitest";
import { Clients } from "./clients.js";
import { api, storeDir } from "./jetstream.js";
import { AGAINST_NATS_SERVER, startConfigured, type Target } from "./target.js";

/**
 * Cross-account JetStream setups: account JSA owns the streams, account U uses them through imports. Each
 * recipe test builds its config from the exports and imports it needs, and runs in each layout: on
 * tsnats once with both accounts in one shard and once with them pinned to different shards (worker
 * threads); against nats-server once.
 */
export interface Layout {
  readonly name: string;
  readonly shards: { count: number; pin: Record<string, number> } | undefined;
}

export const LAYOUTS: Layout[] = AGAINST_NATS_SERVER
  ? [{ name: "nats-server", shards: undefined }]
  : [
      { name: "one shard", shards: { count: 2, pin: { JSA: 0, U: 0 } } },
      { name: "different shards", shards: { count: 2, pin: { JSA: 0, U: 1 } } },
    ];

/** The JS prefix U knows JSA's API by. */
export const PREFIX = "JS.JSA.API";

/** Config with JSA (JetStream on, these exports) and U (these imports; JetStream on when `uJetStream`). */
export function xacctConfig(exports: string[], imports: string[], uJetStream = false): string {
  return `
jetstream { store_dir: "${storeDir()}" }
accounts {
  JSA {
    jetstream: enabled
    users: [ { user: jsa, password: p } ]
    exports: [
      ${exports.join("\n      ")}
    ]
  }
  U {
    ${uJetStream ? "jetstream: enabled" : ""}
    users: [ { user: u, password: p } ]
    imports: [
      ${imports.join("\n      ")}
    ]
  }
}
`;
}

/** A recipe's server in one layout, with a client of JSA's user and one of U's. */
export interface XacctServer {
  readonly srv: Target;
  readonly clients: Clients;
  readonly jsa: NatsConnection;
  readonly u: NatsConnection;
}

/** Starts `config` in `layout` and connects both accounts; `stream`: JSA's stream S on `orders.>` too. */
export async function startXacct(config: string, layout: Layout, stream: boolean): Promise<XacctServer> {
  const srv = await startConfigured(config, layout.shards ? { shards: layout.shards } : {});
  const clients = new Clients(() => srv.url);
  const jsa = await clients.connect({ user: "jsa", pass: "p" });
  const u = await clients.connect({ user: "u", pass: "p" });
  if (stream) expect((await api(jsa, "STREAM.CREATE.S", { name: "S", subjects: ["orders.>"] })).error).toBeUndefined();
  return { srv, clients, jsa, u };
}

export async function stopXacct(x: XacctServer | undefined): Promise<void> {
  if (x === undefined) return;
  await x.clients.closeAll();
  await x.srv.close();
}

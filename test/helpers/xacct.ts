import { AGAINST_NATS_SERVER } from "./target.js";
import { storeDir } from "./jetstream.js";

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

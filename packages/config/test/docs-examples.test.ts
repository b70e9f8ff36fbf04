import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/index.js";

// Configurations from the NATS documentation.
describe("NATS documentation examples", () => {
  it("parses 'Multi Tenancy using Accounts'", () => {
    const text = `
accounts: {
    A: {
        users: [
            {user: a, password: a}
        ]
        exports: [
            {stream: puba.>}
            {service: pubq.>}
            {stream: b.>, accounts: [B]}
            {service: q.b, accounts: [B]}
        ]
    },
    B: {
        users: [
            {user: b, password: b}
        ]
        imports: [
            {stream: {account: A, subject: b.>}}
            {service: {account: A, subject: q.b}}
        ]
    }
    C: {
        users: [
            {user: c, password: c}
        ]
        imports: [
            {stream: {account: A, subject: puba.>}, prefix: from_a}
            {service: {account: A, subject: pubq.C}, to: Q}
        ]
    }
}
no_auth_user: a
`;
    expect(parseConfig(text, { env: {} })).toEqual({
      accounts: {
        A: {
          users: [{ user: "a", password: "a" }],
          exports: [
            { stream: "puba.>" },
            { service: "pubq.>" },
            { stream: "b.>", accounts: ["B"] },
            { service: "q.b", accounts: ["B"] },
          ],
        },
        B: {
          users: [{ user: "b", password: "b" }],
          imports: [{ stream: { account: "A", subject: "b.>" } }, { service: { account: "A", subject: "q.b" } }],
        },
        C: {
          users: [{ user: "c", password: "c" }],
          imports: [
            { stream: { account: "A", subject: "puba.>" }, prefix: "from_a" },
            { service: { account: "A", subject: "pubq.C" }, to: "Q" },
          ],
        },
      },
      no_auth_user: "a",
    });
  });

  it("parses the server 'Configuration' example", () => {
    const text = `
# Server settings
listen: 127.0.0.1:4222
http: 8222
max_payload: 1MB
max_pending: 64MB
max_control_line: 4KB
ping_interval: "2m"
ping_max: 2
write_deadline: "10s"
authorization {
  user: derek
  password: $PASS   # from env
  timeout: 1
}
jetstream { store_dir: "./data", max_memory_store: 1G, max_file_store: 10GB }
cluster { name: c1, listen: 0.0.0.0:6222, routes = [ nats-route://127.0.0.1:6223 ] }
`;
    expect(parseConfig(text, { env: { PASS: "T0pS3cr3t" } })).toEqual({
      listen: "127.0.0.1:4222",
      http: 8222,
      max_payload: 1048576,
      max_pending: 67108864,
      max_control_line: 4096,
      ping_interval: "2m",
      ping_max: 2,
      write_deadline: "10s",
      authorization: { user: "derek", password: "T0pS3cr3t", timeout: 1 },
      jetstream: { store_dir: "./data", max_memory_store: 1_000_000_000, max_file_store: 10 * 2 ** 30 },
      cluster: { name: "c1", listen: "0.0.0.0:6222", routes: ["nats-route://127.0.0.1:6223"] },
    });
  });

  it("keeps JetStream API subjects in quotes as plain strings", () => {
    const text = `
accounts {
  A {
    jetstream: enabled
    exports [
      { service: "$JS.API.>" }
      { service: '$JS.API.CONSUMER.INFO.*.*' }
    ]
  }
}`;
    expect(parseConfig(text, { env: {} })).toEqual({
      accounts: {
        A: { jetstream: "enabled", exports: [{ service: "$JS.API.>" }, { service: "$JS.API.CONSUMER.INFO.*.*" }] },
      },
    });
  });
});

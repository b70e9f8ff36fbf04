import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Clients, received } from "./helpers/clients.js";
import { startConfigured, type Target } from "./helpers/target.js";
import { waitUntil } from "./helpers/wait.js";

/** Accounts on different worker-thread shards, forced by pinning. */
const CONFIG = `
accounts {
  A { users: [ {user: a, password: p}, {user: a2, password: p} ], exports: [ {stream: "ord.>"}, {service: "echo"} ] }
  B { users: [ {user: b, password: p}, {user: b2, password: p} ], imports: [ {stream: {account: A, subject: "ord.>"}}, {service: {account: A, subject: "echo"}} ] }
}
`;

describe("shards", () => {
  let srv: Target;
  const clients = new Clients(() => srv.url);
  beforeAll(async () => {
    srv = await startConfigured(CONFIG, { shards: { count: 2, pin: { A: 0, B: 1 } } });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => srv.close());
  const as = (user: string) => clients.connect({ user, pass: "p" });

  it("keeps publish order per connection and subject, within an account and across an import to another shard", async () => {
    const [a, a2, b] = await Promise.all([as("a"), as("a2"), as("b")]);
    const local = received(a2, "ord.x");
    const imported = received(b, "ord.x");
    const wild = received(b, "ord.>");
    await Promise.all([a2.flush(), b.flush()]);
    const N = 5000;
    for (let i = 0; i < N; i++) {
      a.publish("ord.x", String(i));
      if (i % 500 === 0) a.publish("ord.other", "interleaved");
    }
    await a.flush();
    await Promise.all([local.waitFor(N), imported.waitFor(N)]);
    const expected = Array.from({ length: N }, (_, i) => String(i));
    expect(local.strings()).toEqual(expected);
    expect(imported.strings()).toEqual(expected);
    await wild.waitFor(N + 10);
    expect(wild.msgs.filter((m) => m.subject === "ord.x").map((m) => m.string())).toEqual(expected);
  });

  it("request/reply across shards through a service import, many in flight, each answered once", async () => {
    const [a, b] = await Promise.all([as("a"), as("b")]);
    a.subscribe("echo", { callback: (_e, m) => m.respond(m.data) });
    await a.flush();
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => b.request("echo", String(i), { timeout: 5000 })));
    expect(replies.map((r) => r.string())).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
  });

  it("a shard that dies is restarted with its clients' subscriptions restored; the other shard never notices", async () => {
    if (srv.tsnats === undefined) return; // a test hook of tsnats
    const server = srv.tsnats.server;
    const [a, a2, b, b2] = await Promise.all([as("a"), as("a2"), as("b"), as("b2")]);
    const aSub = received(a2, "after.crash");
    const bSub = received(b2, "steady");
    const limited = received(a2, "limited");
    a2.subscribe("limited.max", { max: 3, callback: () => {} });
    await Promise.all([a2.flush(), b2.flush()]);
    // Two of three deliveries happen before the crash.
    const lim: string[] = [];
    a2.subscribe("lim", { max: 3, callback: (_e, m) => lim.push(m.string()) });
    await a2.flush();
    a.publish("lim", "1");
    a.publish("lim", "2");
    await waitUntil(() => lim.length === 2);

    const before = server.router.restarts;
    server.router.crashShard(0);
    await waitUntil(() => server.router.restarts > before, 10_000, "shard restart");
    // B, on the other shard, works throughout.
    b.publish("steady", "1");
    await bSub.waitFor(1);
    // A's clients are still connected, and their subscriptions work again.
    expect(a.isClosed() || a2.isClosed()).toBe(false);
    await a2.flush();
    a.publish("after.crash", "x");
    await aSub.waitFor(1);
    // The auto-unsubscribe limit survives the restart: one more delivery, then none.
    for (let i = 3; i <= 6; i++) a.publish("lim", String(i));
    a.publish("after.crash", "sentinel");
    await aSub.waitFor(2);
    expect(lim).toEqual(["1", "2", "3"]);
    expect(limited.msgs).toHaveLength(0);
    // Imports from the restarted shard reach the other shard again.
    const imported = received(b2, "ord.after");
    await b2.flush();
    a.publish("ord.after", "y");
    await imported.waitFor(1);
  });

  it("two shards that die together are both restarted, and routing within and across them carries on", async () => {
    if (srv.tsnats === undefined) return; // a test hook of tsnats
    const server = srv.tsnats.server;
    const [a, a2, b, b2] = await Promise.all([as("a"), as("a2"), as("b"), as("b2")]);
    const local = received(a2, "both.local");
    const mine = received(b2, "both.mine");
    const imported = received(b2, "ord.both");
    await Promise.all([a2.flush(), b2.flush()]);
    const before = server.router.restarts;
    server.router.crashShard(0);
    server.router.crashShard(1);
    await waitUntil(() => server.router.restarts >= before + 2, 10_000, "both shards restarted");
    a.publish("both.local", "1");
    b.publish("both.mine", "2");
    a.publish("ord.both", "3");
    await Promise.all([local.waitFor(1), mine.waitFor(1), imported.waitFor(1)]);
    expect(server.router.restarts).toBe(before + 2); // each restarted once
    expect([local.strings(), mine.strings(), imported.strings()]).toEqual([["1"], ["2"], ["3"]]);
  });
});

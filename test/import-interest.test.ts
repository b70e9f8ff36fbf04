import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Clients, received } from "./helpers/clients.js";
import { api, publish, storeDir } from "./helpers/jetstream.js";
import { startConfigured, type Target } from "./helpers/target.js";
import { waitUntil } from "./helpers/wait.js";

/**
 * A stream export reaches importers on other shards only while one of them listens (tsnats forwards
 * nothing across shards for nobody). What must hold all the same, as with nats-server: a subscriber that
 * flushed sees every later message; an importer's JetStream stream gets them without any subscriber of its
 * own; a restarted shard loses none of it. And as with nats-server, imported messages go no further than
 * the importer's subscribers and streams.
 */
const CONFIG = (dir: string) => `
jetstream { store_dir: "${dir}" }
accounts {
  A { users: [ {user: a, password: p} ], exports: [ {stream: "feed.>"} ] }
  SUB { users: [ {user: s, password: p} ], imports: [ {stream: {account: A, subject: "feed.>"}} ] }
  JS { jetstream: enabled, users: [ {user: j, password: p} ], imports: [ {stream: {account: A, subject: "feed.>"}, prefix: got} ] }
  RELAY { users: [ {user: r, password: p} ], imports: [ {stream: {account: A, subject: "feed.>"}} ], exports: [ {stream: "feed.>"} ] }
  END { users: [ {user: e, password: p} ], imports: [ {stream: {account: RELAY, subject: "feed.>"}, prefix: relayed} ] }
}
`;

describe("stream exports across shards follow the importers' interest", () => {
  let srv: Target;
  const clients = new Clients(() => srv.url);
  beforeAll(async () => {
    srv = await startConfigured(CONFIG(storeDir()), { shards: { count: 2, pin: { A: 0, SUB: 1, JS: 1, RELAY: 1, END: 0 } } });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => srv.close());
  const as = (user: string) => clients.connect({ user, pass: "p" });

  it("a subscriber that flushed gets the next message, subscription after subscription, while the exporter's shard is busy", async () => {
    const [a, noisy, s] = await Promise.all([as("a"), as("a"), as("s")]);
    // A publisher nobody listens to keeps the exporter's shard busy, so its channels fill up together.
    let noise = true;
    const flood = (async () => {
      while (noise) {
        for (let i = 0; i < 500; i++) noisy.publish("feed.noise", "n");
        await noisy.flush();
      }
    })();
    try {
      for (let round = 0; round < 40; round++) {
        const got = received(s, `feed.r${round}`);
        await s.flush();
        a.publish(`feed.r${round}`, String(round));
        await got.waitFor(1, 5000);
        expect(got.strings()).toEqual([String(round)]);
      }
    } finally {
      noise = false;
      await flood;
    }
  });

  it("a subscriber that left gets nothing more, and one that comes back gets what follows", async () => {
    const [a, s] = await Promise.all([as("a"), as("s")]);
    const first: string[] = [];
    const sub = s.subscribe("feed.back", { callback: (_e, m) => first.push(m.string()) });
    await s.flush();
    a.publish("feed.back", "1");
    await waitUntil(() => first.length === 1);
    sub.unsubscribe();
    await s.flush();
    a.publish("feed.back", "2");
    await a.flush();
    const again = received(s, "feed.back");
    await s.flush();
    a.publish("feed.back", "3");
    await again.waitFor(1);
    expect(first).toEqual(["1"]);
    expect(again.strings()).toEqual(["3"]);
  });

  it("an importer's JetStream stream stores imported messages though nobody there subscribes", async () => {
    const [a, j] = await Promise.all([as("a"), as("j")]);
    expect((await api(j, "STREAM.CREATE.GOT", { name: "GOT", subjects: ["got.feed.>"], storage: "memory" })).error).toBeUndefined();
    for (let i = 0; i < 20; i++) a.publish("feed.js", String(i));
    await a.flush();
    await waitUntil(async () => ((await api(j, "STREAM.INFO.GOT")).state as { messages: number }).messages === 20, 10_000, "20 stored");
    // A publish acknowledged by the importer's stream comes after them.
    expect((await publish(j, "got.feed.own", "x")).error).toBeUndefined();
    expect(((await api(j, "STREAM.INFO.GOT")).state as { last_seq: number }).last_seq).toBe(21);
  });

  it("an importer does not pass imported messages on to its own importers (nats-server's stream imports are not transitive)", async () => {
    const [a, r, e] = await Promise.all([as("a"), as("r"), as("e")]);
    const got = received(e, "relayed.feed.>");
    await e.flush();
    a.publish("feed.relay", "not passed on");
    await a.flush();
    // RELAY's own publish is exported to END: it arrives, alone.
    r.publish("feed.sentinel", "own");
    await got.waitFor(1);
    await r.flush();
    await e.flush();
    expect(got.subjects()).toEqual(["relayed.feed.sentinel"]);
  });

  it("a subscriber's interest outlives a restart of the exporter's shard, and of its own", async () => {
    if (srv.tsnats === undefined) return; // a test hook of tsnats
    const router = srv.tsnats.server.router;
    const [a, s] = await Promise.all([as("a"), as("s")]);
    const got = received(s, "feed.kept");
    await s.flush();
    for (const shard of [0, 1]) {
      const before = router.restarts;
      router.crashShard(shard);
      await waitUntil(() => router.restarts > before, 10_000, "shard restart");
      // The restarted side relearns the interest (the exporter from the importer's restatement, the importer
      // by registering its restored subscriptions): publish until one arrives, then one more, which must too.
      const seen = got.msgs.length;
      await waitUntil(async () => {
        a.publish("feed.kept", "probe");
        await a.flush();
        await s.flush();
        return got.msgs.length > seen;
      }, 10_000, `delivery after shard ${shard} restarted`);
      await s.flush();
      const n = got.msgs.length;
      a.publish("feed.kept", `after ${shard}`);
      await got.waitFor(n + 1);
      expect(got.strings().at(-1)).toBe(`after ${shard}`);
    }
  });
});

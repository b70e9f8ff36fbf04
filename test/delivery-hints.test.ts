/**
 * Delivery hints (packages/router/src/delivery-hints.ts): when a shard link is idle, the front-end delivers
 * a message itself where the shard last said such messages go. Every test here publishes on an idle link
 * first, so the front-end learns a hint and uses it, then changes what the hint depends on and checks the
 * next message goes where nats-server would send it. `hinted` makes sure the direct path really ran.
 */
import { type NatsConnection, createInbox, headers } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Clients, received } from "./helpers/clients.js";
import { storeDir } from "./helpers/jetstream.js";
import { AGAINST_NATS_SERVER, startConfigured, type Target } from "./helpers/target.js";
import { waitUntil } from "./helpers/wait.js";

const config = (dir: string) => `
jetstream { store_dir: "${dir}" }
accounts {
  A { users: [ {user: a, password: p}, {user: a2, password: p}, {user: noecho, password: p} ] }
  B { users: [ {user: b, password: p} ] }
  D { users: [ {user: d, password: p, permissions: { subscribe: { allow: ">", deny: "secret.>" } } } ] }
  J { users: [ {user: j, password: p} ], jetstream: enabled }
}
`;

describe.each([
  ["worker-thread shards", false],
  ["in-process shards", true],
])("delivery hints (%s)", (_name, inProcess) => {
  let srv: Target;
  const clients = new Clients(() => srv.url);
  beforeAll(async () => {
    srv = await startConfigured(config(storeDir()), { shards: { count: 2, inProcess, pin: {} } });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => srv.close());
  const as = (user: string, opts = {}) => clients.connect({ user, pass: "p", ...opts });
  const hinted = () => srv.tsnats?.server.router.hintedDeliveries ?? 0;

  /** Publishes `n` messages one at a time, each after the previous one arrived (so the link is idle). */
  async function oneByOne(pub: NatsConnection, subject: string, n: number, arrived: () => number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const before = arrived();
      pub.publish(subject, String(i));
      await waitUntil(() => arrived() > before);
    }
  }

  it("learns a hint on an idle link and delivers from it; a new subscription is reached at once", async () => {
    const [pub, s1, s2] = await Promise.all([as("a"), as("a2"), as("b")]);
    const first = received(s1, "hint.one");
    await s1.flush();
    const before = hinted();
    await oneByOne(pub, "hint.one", 5, () => first.msgs.length);
    if (!AGAINST_NATS_SERVER) expect(hinted()).toBeGreaterThan(before);
    // A wildcard subscription in the same account, and one in another account on the same subject.
    const wild = received(s1, "hint.>");
    const other = received(s2, "hint.one");
    await Promise.all([s1.flush(), s2.flush()]);
    pub.publish("hint.one", "after");
    await pub.flush();
    await wild.waitFor(1);
    await first.waitFor(6);
    expect(first.strings()).toEqual(["0", "1", "2", "3", "4", "after"]);
    expect(wild.strings()).toEqual(["after"]);
    expect(other.msgs).toHaveLength(0);
  });

  it("a subject nobody listens to: dropped without a trip to the shard, until someone subscribes", async () => {
    const [pub, s1] = await Promise.all([as("a", { noResponders: true, headers: true }), as("a2")]);
    for (let i = 0; i < 5; i++) {
      pub.publish("hint.nobody", "lost");
      await pub.flush();
    }
    if (!AGAINST_NATS_SERVER) {
      const before = hinted();
      pub.publish("hint.nobody", "lost");
      await pub.flush();
      expect(hinted()).toBe(before + 1);
    }
    await expect(pub.request("hint.nobody", "anyone?", { timeout: 2000 })).rejects.toMatchObject({ code: "503" });
    const got = received(s1, "hint.nobody");
    await s1.flush();
    pub.publish("hint.nobody", "found");
    await got.waitFor(1);
    expect(got.strings()).toEqual(["found"]);
  });

  it("bursts mixing a subject nobody hears with a heard one: the heard one arrives whole and in order", async () => {
    const [pub, s1, late] = await Promise.all([as("a"), as("a2"), as("a2")]);
    const heard = received(s1, "hint.heard");
    await s1.flush();
    await oneByOne(pub, "hint.heard", 2, () => heard.msgs.length);
    pub.publish("hint.unheard", "x");
    await pub.flush();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2000; i++) {
        pub.publish("hint.unheard", "lost");
        if (i % 10 === 0) pub.publish("hint.heard", `${round}.${i}`);
      }
      await pub.flush();
    }
    const later = received(late, "hint.unheard");
    await late.flush();
    for (let i = 0; i < 100; i++) pub.publish("hint.unheard", `late ${i}`);
    await pub.flush();
    await later.waitFor(100);
    expect(later.strings()).toEqual(Array.from({ length: 100 }, (_, i) => `late ${i}`));
    await heard.waitFor(602);
    const want = ["0", "1"];
    for (let round = 0; round < 3; round++) for (let i = 0; i < 2000; i += 10) want.push(`${round}.${i}`);
    expect(heard.strings()).toEqual(want);
  });

  it("a flush after hinted publishes returns after the messages they caused for the publisher", async () => {
    const me = await as("a");
    const got: string[] = [];
    me.subscribe("hint.self", { callback: (_e, m) => got.push(m.string()) });
    await me.flush();
    await oneByOne(me, "hint.self", 3, () => got.length);
    for (let round = 0; round < 20; round++) {
      me.publish("hint.self", `r${round}`);
      await me.flush();
      expect(got.at(-1)).toBe(`r${round}`);
    }
  });

  it("an unsubscribed subscription gets nothing more, and a request then has no responders", async () => {
    const [pub, s1] = await Promise.all([as("a", { noResponders: true, headers: true }), as("a2")]);
    const got: string[] = [];
    const sub = s1.subscribe("hint.gone", { callback: (_e, m) => got.push(m.string()) });
    await s1.flush();
    await oneByOne(pub, "hint.gone", 3, () => got.length);
    sub.unsubscribe();
    await s1.flush();
    await expect(pub.request("hint.gone", "anyone?", { timeout: 2000 })).rejects.toMatchObject({ code: "503" });
    pub.publish("hint.gone", "late");
    await pub.flush();
    await s1.flush();
    expect(got).toEqual(["0", "1", "2"]);
  });

  it("UNSUB with a maximum after hinted deliveries stops at exactly that many in all", async () => {
    const [pub, s1] = await Promise.all([as("a"), as("a2")]);
    const got: string[] = [];
    const sub = s1.subscribe("hint.max", { callback: (_e, m) => got.push(m.string()) });
    await s1.flush();
    await oneByOne(pub, "hint.max", 4, () => got.length);
    sub.unsubscribe(7); // three more
    await s1.flush();
    for (let i = 4; i < 12; i++) pub.publish("hint.max", String(i));
    await pub.flush();
    await waitUntil(() => got.length >= 7);
    await s1.flush();
    await pub.flush();
    expect(got).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
  });

  it("request/reply through hints: replies reach each requester's inbox, a new literal inbox subscriber too", async () => {
    const [req, resp, spy] = await Promise.all([as("a"), as("a2"), as("a")]);
    resp.subscribe("hint.svc", { queue: "workers", callback: (_e, m) => m.respond(m.data) });
    await resp.flush();
    const before = hinted();
    for (let i = 0; i < 20; i++) expect((await req.request("hint.svc", String(i), { timeout: 2000 })).string()).toBe(String(i));
    if (!AGAINST_NATS_SERVER) expect(hinted() - before).toBeGreaterThanOrEqual(20);
    // Replies to a shared inbox prefix: a literal subscriber to one reply subject gets that reply too.
    const inbox = createInbox();
    const all = received(req, `${inbox}.*`);
    await req.flush();
    resp.publish("hint.svc", "x", { reply: `${inbox}.1` });
    await all.waitFor(1);
    const literal = received(spy, `${inbox}.2`);
    await spy.flush();
    resp.publish("hint.svc", "y", { reply: `${inbox}.2` });
    await literal.waitFor(1);
    await all.waitFor(2);
    expect(literal.strings()).toEqual(["y"]);
  });

  it("a queue group gets each message once, spread over its members", async () => {
    const [pub, m1, m2] = await Promise.all([as("a"), as("a2"), as("a2")]);
    const g1 = received(m1, "hint.q", { queue: "g" });
    const g2 = received(m2, "hint.q", { queue: "g" });
    await Promise.all([m1.flush(), m2.flush()]);
    await oneByOne(pub, "hint.q", 200, () => g1.msgs.length + g2.msgs.length);
    const all = [...g1.strings(), ...g2.strings()].map(Number).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(g1.msgs.length).toBeGreaterThan(0);
    expect(g2.msgs.length).toBeGreaterThan(0);
  });

  it("without echo a publisher never gets its own messages, and alone it has no responders", async () => {
    const [me, other] = await Promise.all([as("noecho", { noEcho: true, noResponders: true, headers: true }), as("a2")]);
    const mine = received(me, "hint.echo");
    const theirs: string[] = [];
    const sub = other.subscribe("hint.echo", { callback: (_e, m) => theirs.push(m.string()) });
    await Promise.all([me.flush(), other.flush()]);
    await oneByOne(me, "hint.echo", 5, () => theirs.length);
    await me.flush();
    expect(mine.msgs).toHaveLength(0);
    sub.unsubscribe();
    await other.flush();
    await expect(me.request("hint.echo", "anyone?", { timeout: 2000 })).rejects.toMatchObject({ code: "503" });
    expect(mine.msgs).toHaveLength(0);
  });

  it("delivery permissions still apply to hinted deliveries", async () => {
    const [pub, d] = await Promise.all([as("d"), as("d")]);
    const wild = received(d, ">");
    await d.flush();
    await oneByOne(pub, "open.x", 3, () => wild.msgs.length);
    for (let i = 0; i < 3; i++) pub.publish("secret.x", "hidden");
    pub.publish("open.x", "last");
    await wild.waitFor(4);
    expect(wild.strings()).toEqual(["0", "1", "2", "last"]);
  });

  it("headers, reply subjects and payloads arrive as published", async () => {
    const [pub, s1] = await Promise.all([as("a"), as("a2")]);
    const got = received(s1, "hint.h");
    await s1.flush();
    await oneByOne(pub, "hint.h", 2, () => got.msgs.length);
    const h = headers();
    h.set("X-One", "1");
    pub.publish("hint.h", new Uint8Array([0, 1, 2, 255]), { headers: h, reply: "back.here" });
    await got.waitFor(3);
    const m = got.msgs[2];
    expect(m.headers?.get("X-One")).toBe("1");
    expect(m.reply).toBe("back.here");
    expect([...m.data]).toEqual([0, 1, 2, 255]);
  });

  it("in a JetStream account a stream created or extended captures the very next publish", async () => {
    const [j, watcher] = await Promise.all([as("j"), as("j")]);
    const seen = received(watcher, "jorders.*");
    await watcher.flush();
    const before = hinted();
    await oneByOne(j, "jorders.new", 3, () => seen.msgs.length);
    await oneByOne(j, "jorders.old", 3, () => seen.msgs.length);
    if (!AGAINST_NATS_SERVER) expect(hinted()).toBeGreaterThan(before);
    const jsm = await j.jetstreamManager();
    await jsm.streams.add({ name: "JORDERS", subjects: ["jorders.new"] });
    j.publish("jorders.new", "stored");
    await seen.waitFor(7);
    await oneByOne(j, "jorders.old", 2, () => seen.msgs.length);
    await jsm.streams.update("JORDERS", { subjects: ["jorders.new", "jorders.old"] });
    j.publish("jorders.old", "stored too");
    await seen.waitFor(10);
    await waitUntil(async () => (await jsm.streams.info("JORDERS")).state.messages === 2);
    await jsm.streams.delete("JORDERS");
  });

  it("after a shard restart, hinted deliveries and limits carry on", async () => {
    if (AGAINST_NATS_SERVER || inProcess) return;
    const server = srv.tsnats!.server;
    const [pub, s1] = await Promise.all([as("a"), as("a2")]);
    const got: string[] = [];
    const sub = s1.subscribe("hint.crash", { callback: (_e, m) => got.push(m.string()) });
    await s1.flush();
    await oneByOne(pub, "hint.crash", 3, () => got.length);
    const restarts = server.router.restarts;
    server.router.crashShard(server.router.shardOf("A"));
    await waitUntil(() => server.router.restarts > restarts, 10_000, "shard restart");
    await oneByOne(pub, "hint.crash", 2, () => got.length);
    sub.unsubscribe(7); // two more after the five
    await s1.flush();
    for (let i = 5; i < 10; i++) pub.publish("hint.crash", String(i));
    await pub.flush();
    await waitUntil(() => got.length >= 7);
    await s1.flush();
    expect(got).toEqual(["0", "1", "2", "0", "1", "5", "6"]);
  });
});

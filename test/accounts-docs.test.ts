import { headers as natsHeaders } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Clients, received } from "./helpers/clients.js";
import { type Target, startConfigured } from "./helpers/target.js";

/**
 * The example of the NATS docs page "Multi Tenancy using Accounts": A exports a public stream and service
 * and a private stream and service for B; B imports the private ones; C imports the public ones, the
 * stream under a prefix and one service subject under another name. Every delivery and every refusal.
 */
const CONFIG = `
accounts: {
    A: {
        users: [ {user: a, password: a} ]
        exports: [
            {stream: puba.>}
            {service: pubq.>}
            {stream: b.>, accounts: [B]}
            {service: q.b, accounts: [B]}
        ]
    },
    B: {
        users: [ {user: b, password: b} ]
        imports: [
            {stream: {account: A, subject: b.>}}
            {service: {account: A, subject: q.b}}
        ]
    }
    C: {
        users: [ {user: c, password: c} ]
        imports: [
            {stream: {account: A, subject: puba.>}, prefix: from_a}
            {service: {account: A, subject: pubq.C}, to: Q}
        ]
    }
}
`;

for (const layout of ["one shard", "A, B and C on different shards"] as const) {
  describe(`docs example: accounts, exports and imports (${layout})`, () => {
    let srv: Target;
    const clients = new Clients(() => srv.url);

    beforeAll(async () => {
      srv = await startConfigured(
        CONFIG,
        layout === "one shard" ? { shards: { count: 1 } } : { shards: { count: 3, pin: { A: 0, B: 1, C: 2 } } },
      );
    });
    // Each test's clients (and so their subscriptions) go away before the next test.
    afterEach(() => clients.closeAll());
    afterAll(() => srv.close());

    const as = (u: "a" | "b" | "c") => clients.connect({ user: u, pass: u });

    it("the public stream reaches C under its prefix, and nobody else", async () => {
      const [a, b, c] = await Promise.all([as("a"), as("b"), as("c")]);
      const cGot = received(c, ">");
      const bGot = received(b, ">");
      await Promise.all([b.flush(), c.flush()]);
      a.publish("puba.news", "hello");
      a.publish("b.only", "for b");
      a.publish("puba.done", "sentinel");
      await cGot.waitFor(2);
      await bGot.waitFor(1);
      expect(cGot.subjects()).toEqual(["from_a.puba.news", "from_a.puba.done"]);
      expect(bGot.subjects()).toEqual(["b.only"]);
    });

    it("C subscribing to the exporter's own subject gets nothing; A's subjects stay A's", async () => {
      const [a, c] = await Promise.all([as("a"), as("c")]);
      const raw = received(c, "puba.>");
      const prefixed = received(c, "from_a.>");
      await c.flush();
      a.publish("puba.x", "1");
      await prefixed.waitFor(1);
      expect(raw.msgs).toHaveLength(0);
    });

    it("the private stream reaches B only", async () => {
      const [a, b, c] = await Promise.all([as("a"), as("b"), as("c")]);
      const bGot = received(b, "b.>");
      const cGot = received(c, ">");
      await Promise.all([b.flush(), c.flush()]);
      a.publish("b.x.y", "private");
      a.publish("puba.sentinel", "s");
      await bGot.waitFor(1);
      await cGot.waitFor(1);
      expect(bGot.subjects()).toEqual(["b.x.y"]);
      expect(cGot.subjects()).toEqual(["from_a.puba.sentinel"]);
    });

    it("C's request to Q is served by A on pubq.C, through a _R_ response mapping", async () => {
      const [a, c] = await Promise.all([as("a"), as("c")]);
      const seen: Array<{ subject: string; reply: string | undefined; info: string | undefined }> = [];
      a.subscribe("pubq.>", {
        callback: (_e, m) => {
          seen.push({ subject: m.subject, reply: m.reply, info: m.headers?.get("Nats-Request-Info") });
          m.respond(`served ${m.subject}`);
        },
      });
      await a.flush();
      const r = await c.request("Q", "hi", { timeout: 5000 });
      expect(r.string()).toBe("served pubq.C");
      expect(seen).toHaveLength(1);
      expect(seen[0].subject).toBe("pubq.C");
      expect(seen[0].reply).toMatch(/^_R_\.[0-9A-Za-z]{6}\.[0-9A-Za-z]{6}$/);
      expect(JSON.parse(seen[0].info ?? "{}")).toMatchObject({ acc: "C" });
    });

    it("B's request to the private service q.b is served by A, with the requester's headers intact", async () => {
      const [a, b] = await Promise.all([as("a"), as("b")]);
      a.subscribe("q.b", { callback: (_e, m) => m.respond(`got ${m.headers?.get("X-Trace")}`) });
      await a.flush();
      const h = natsHeaders();
      h.set("X-Trace", "t-1");
      const r = await b.request("q.b", "hi", { timeout: 5000, headers: h });
      expect(r.string()).toBe("got t-1");
    });

    it("a singleton service lets one reply through the import", async () => {
      const [a, b] = await Promise.all([as("a"), as("b")]);
      a.subscribe("q.b", {
        callback: (_e, m) => {
          m.respond("one");
          m.respond("two");
        },
      });
      await a.flush();
      const got: string[] = [];
      for await (const m of await b.requestMany("q.b", "x", { maxWait: 1000, maxMessages: 2 })) got.push(m.string());
      expect(got).toEqual(["one"]);
    });

    it("refusals: C may not use q.b (not imported) and B may not use pubq (not imported): no responders", async () => {
      const [a, b, c] = await Promise.all([as("a"), as("b"), as("c")]);
      a.subscribe("q.b", { callback: (_e, m) => m.respond("x") });
      a.subscribe("pubq.>", { callback: (_e, m) => m.respond("x") });
      await a.flush();
      await expect(c.request("q.b", "x", { timeout: 5000 })).rejects.toMatchObject({ code: "503" });
      await expect(b.request("pubq.B", "x", { timeout: 5000 })).rejects.toMatchObject({ code: "503" });
      await expect(c.request("pubq.C", "x", { timeout: 5000 })).rejects.toMatchObject({ code: "503" });
    });

    it("a service import whose exporter has no subscriber: the requester times out (no 503), as with nats-server", async () => {
      const c = await as("c");
      await expect(c.request("Q", "x", { timeout: 300 })).rejects.toMatchObject({ code: "TIMEOUT" });
    });
  });
}

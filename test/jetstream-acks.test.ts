import { AckPolicy, type JsMsg, type NatsConnection, connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers/jetstream.js";
import { type Target, startConfigured } from "./helpers/target.js";
import { waitUntil } from "./helpers/wait.js";

/**
 * Acks are ordinary publishes on `$JS.ACK.…`: the shard applies them without routing them when nothing
 * else could receive them, and routes them like any message otherwise. Runs against nats-server too.
 */
let srv: Target;
let nc: NatsConnection;

beforeAll(async () => {
  srv = await startConfigured("jetstream {}");
  nc = await connect({ servers: srv.url });
  await api(nc, "STREAM.CREATE.AK", { name: "AK", subjects: ["ak.>"], storage: "memory" });
  const js = nc.jetstream();
  for (let i = 1; i <= 6; i++) await js.publish(`ak.${i}`, `m${i}`);
});

afterAll(async () => {
  await nc?.close();
  await srv?.close();
});

async function fetchAll(name: string, n: number): Promise<JsMsg[]> {
  const c = await nc.jetstream().consumers.get("AK", name);
  const out: JsMsg[] = [];
  for await (const m of await c.fetch({ max_messages: n, expires: 2000 })) out.push(m);
  return out;
}

async function info(name: string): Promise<Record<string, any>> {
  return (await api(nc, `CONSUMER.INFO.AK.${name}`)) as Record<string, any>;
}

describe("acks", () => {
  it("a subscriber of $JS.ACK.> sees them, and they still settle the messages", async () => {
    await api(nc, "CONSUMER.DURABLE.CREATE.AK.WATCHED", { stream_name: "AK", config: { durable_name: "WATCHED", ack_policy: AckPolicy.Explicit } });
    const watcher = await connect({ servers: srv.url });
    const seen: string[] = [];
    const sub = watcher.subscribe("$JS.ACK.>", { callback: (_e, m) => seen.push(m.subject) });
    await watcher.flush();
    const msgs = await fetchAll("WATCHED", 3);
    for (const m of msgs) m.ack();
    await waitUntil(async () => seen.length === 3, 5000, "the watcher saw the three acks");
    expect(seen.map((s) => s.split(".").slice(2, 4).join("."))).toEqual(["AK.WATCHED", "AK.WATCHED", "AK.WATCHED"]);
    await waitUntil(async () => (await info("WATCHED")).num_ack_pending === 0, 5000, "acks applied");
    expect((await info("WATCHED")).ack_floor.stream_seq).toBe(3);
    sub.unsubscribe();
    await watcher.close();
  });

  it("acks confirmed with a reply, malformed acks ignored, and an ack for no consumer gets no responders", async () => {
    await api(nc, "CONSUMER.DURABLE.CREATE.AK.PLAIN", { stream_name: "AK", config: { durable_name: "PLAIN", ack_policy: AckPolicy.Explicit } });
    const msgs = await fetchAll("PLAIN", 2);
    // Malformed: a sequence that is no number, too few tokens. Nothing happens, the connection lives on.
    nc.publish(msgs[0].reply.replace(/\.1\.(\d+)\.(\d+)\./, ".1.x.$2."));
    nc.publish("$JS.ACK.AK.PLAIN.1.1");
    expect(await msgs[0].ackAck()).toBe(true);
    expect(await msgs[1].ackAck()).toBe(true);
    const i = await info("PLAIN");
    expect(i.num_ack_pending).toBe(0);
    expect(i.ack_floor.stream_seq).toBe(2);
    const missing = msgs[0].reply.replace("AK.PLAIN.", "AK.NOSUCH.");
    await expect(nc.request(missing, new Uint8Array(0), { timeout: 2000 })).rejects.toThrow(/503|no responders/i);
  });
});

describe("acks in an account with exports", () => {
  // A exports its deliver subjects (which cannot carry acks) and, to B, its acks themselves.
  const config = `
    jetstream {}
    accounts {
      A: { jetstream: enabled, users: [{ user: a, password: a }], exports: [{ stream: "deliver.>" }, { stream: "$JS.ACK.>" }] }
      B: { users: [{ user: b, password: b }], imports: [{ stream: { account: A, subject: "$JS.ACK.>" } }] }
    }`;
  let target: Target;
  let a: NatsConnection;

  beforeAll(async () => {
    target = await startConfigured(config);
    a = await connect({ servers: target.url, user: "a", pass: "a" });
    await api(a, "STREAM.CREATE.AX", { name: "AX", subjects: ["ax.>"], storage: "memory" });
    for (let i = 1; i <= 4; i++) await a.jetstream().publish(`ax.${i}`, `m${i}`);
  });

  afterAll(async () => {
    await a?.close();
    await target?.close();
  });

  it("settle the consumer's messages, and reach the account that imports them", async () => {
    await api(a, "CONSUMER.DURABLE.CREATE.AX.C", { stream_name: "AX", config: { durable_name: "C", ack_policy: AckPolicy.Explicit } });
    const b = await connect({ servers: target.url, user: "b", pass: "b" });
    const seen: string[] = [];
    b.subscribe("$JS.ACK.>", { callback: (_e, m) => seen.push(m.subject) });
    await b.flush();
    const c = await a.jetstream().consumers.get("AX", "C");
    const msgs: JsMsg[] = [];
    for await (const m of await c.fetch({ max_messages: 4, expires: 2000 })) msgs.push(m);
    expect(msgs.length).toBe(4);
    for (const m of msgs) m.ack();
    await waitUntil(async () => seen.length === 4, 5000, "B saw A's four acks");
    await waitUntil(async () => ((await api(a, "CONSUMER.INFO.AX.C")) as Record<string, any>).num_ack_pending === 0, 5000, "acks applied");
    expect(((await api(a, "CONSUMER.INFO.AX.C")) as Record<string, any>).ack_floor.stream_seq).toBe(4);
    await b.close();
  });
});

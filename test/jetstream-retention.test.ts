import { type Msg, type NatsConnection, connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, publish, storeDir } from "./helpers/jetstream.js";
import { type Target, startConfigured } from "./helpers/target.js";
import { waitUntil } from "./helpers/wait.js";

/**
 * Stream retention with consumers, as nats-server 2.9.10 does it: a workqueue stream drops a message once
 * its consumer acks it; an interest stream keeps a message while some consumer has not acked it (and stores
 * nothing when no consumer exists); a limits stream ignores acks. Every expectation was checked against
 * nats-server (TSNATS_TEST_TARGET=nats-server).
 */
let srv: Target;
let nc: NatsConnection;

beforeAll(async () => {
  srv = await startConfigured(`jetstream { store_dir: "${storeDir()}" }\n`);
  nc = await connect({ servers: srv.url, reconnect: false });
});
afterAll(async () => {
  await nc?.close();
  await srv?.close();
});

type Err = { code: number; err_code: number; description: string };

async function createStream(config: Record<string, unknown>): Promise<void> {
  const r = await api(nc, `STREAM.CREATE.${String(config.name)}`, config);
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
}

async function durable(stream: string, name: string, config: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return api(nc, `CONSUMER.DURABLE.CREATE.${stream}.${name}`, {
    stream_name: stream,
    config: { durable_name: name, ack_policy: "explicit", ...config },
  });
}

async function pullConsumer(stream: string, name: string, config: Record<string, unknown> = {}): Promise<void> {
  const r = await durable(stream, name, config);
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
}

async function state(stream: string): Promise<{ messages: number; first_seq: number; last_seq: number; consumer_count: number; bytes: number }> {
  const r = await api(nc, `STREAM.INFO.${stream}`);
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
  return r.state as { messages: number; first_seq: number; last_seq: number; consumer_count: number; bytes: number };
}

/**
 * Pulls the next message for a pull consumer (one must be available). The delivery arrives with the
 * message's own subject, not the inbox, so the request needs its own subscription (noMux).
 */
async function next(stream: string, consumer: string): Promise<Msg> {
  const m = await nc.request(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`, JSON.stringify({ batch: 1, no_wait: true }), { timeout: 5000, noMux: true });
  expect(m.headers?.code ?? 0, `expected a message, got status ${m.headers?.code} ${m.headers?.description}`).toBe(0);
  expect(m.reply).toMatch(new RegExp(`^\\$JS\\.ACK\\.${stream}\\.${consumer}\\.`));
  return m;
}

/** The stream sequence a delivery carries in its ack subject. */
function streamSeq(m: Msg): number {
  return Number(m.reply!.split(".")[5]);
}

/**
 * Acks and waits for the server's confirmation (an ack sent with a reply subject is answered once it was
 * processed), so that what follows observes the ack.
 */
async function ack(m: Msg, payload = "+ACK"): Promise<void> {
  await nc.request(m.reply!, payload, { timeout: 5000 });
}

async function ackFloor(stream: string, consumer: string): Promise<number> {
  const r = await api(nc, `CONSUMER.INFO.${stream}.${consumer}`);
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
  return (r.ack_floor as { stream_seq: number }).stream_seq;
}

/** The sequences of the messages a stream still holds. */
async function storedSeqs(stream: string): Promise<number[]> {
  const { first_seq, last_seq } = await state(stream);
  const out: number[] = [];
  for (let seq = first_seq; seq <= last_seq && seq > 0; seq++) {
    const r = await api(nc, `STREAM.MSG.GET.${stream}`, { seq });
    if (r.error === undefined) out.push(seq);
  }
  return out;
}

describe("workqueue retention", () => {
  it("a message is removed once acked, not when delivered", async () => {
    await createStream({ name: "WQ1", subjects: ["wq1.>"], retention: "workqueue" });
    await pullConsumer("WQ1", "W");
    for (const s of ["a", "b", "c"]) expect((await publish(nc, `wq1.${s}`, s)).error).toBeUndefined();
    expect(await state("WQ1")).toMatchObject({ messages: 3, first_seq: 1, last_seq: 3 });

    const m1 = await next("WQ1", "W");
    expect(m1.string()).toBe("a");
    // Delivered but not acked: still stored.
    expect((await state("WQ1")).messages).toBe(3);
    // A nak or a progress ack does not remove it either.
    await ack(m1, "+WPI");
    await ack(m1, "-NAK");
    const again = await next("WQ1", "W");
    expect(again.string()).toBe("a");
    expect((await state("WQ1")).messages).toBe(3);

    await ack(again);
    await waitUntil(async () => (await state("WQ1")).messages === 2, 5000, "acked message removed");
    expect(await state("WQ1")).toMatchObject({ messages: 2, first_seq: 2, last_seq: 3 });

    // Acking out of order removes exactly the acked one.
    const m2 = await next("WQ1", "W");
    const m3 = await next("WQ1", "W");
    expect([streamSeq(m2), streamSeq(m3)]).toEqual([2, 3]);
    await ack(m3);
    await waitUntil(async () => (await state("WQ1")).messages === 1, 5000, "message 3 removed");
    expect(await storedSeqs("WQ1")).toEqual([2]);
    // A term also completes the work item.
    await ack(m2, "+TERM");
    await waitUntil(async () => (await state("WQ1")).messages === 0, 5000, "terminated message removed");
    expect(await state("WQ1")).toMatchObject({ messages: 0, bytes: 0, first_seq: 4, last_seq: 3 });
  });

  it("messages published before the consumer exists wait for it; acks from a push consumer remove too", async () => {
    await createStream({ name: "WQ2", subjects: ["wq2.>"], retention: "workqueue" });
    await publish(nc, "wq2.x", "1");
    await publish(nc, "wq2.x", "2");
    expect((await state("WQ2")).messages).toBe(2);

    const got: Msg[] = [];
    nc.subscribe("wq2deliver", { callback: (_e, m) => got.push(m) });
    await nc.flush();
    const r = await durable("WQ2", "P", { deliver_subject: "wq2deliver" });
    expect(r.error).toBeUndefined();
    await waitUntil(() => got.length === 2, 5000, "push deliveries");
    expect((await state("WQ2")).messages).toBe(2);
    await ack(got[0]!);
    await ack(got[1]!);
    await waitUntil(async () => (await state("WQ2")).messages === 0, 5000, "acked push deliveries removed");
  });

  it("refuses a second unfiltered consumer (10099) and overlapping filters (10100)", async () => {
    await createStream({ name: "WQ3", subjects: ["wq3.>"], retention: "workqueue" });
    await pullConsumer("WQ3", "ALL");
    expect((await durable("WQ3", "ALL2")).error).toEqual({
      code: 400,
      err_code: 10099,
      description: "multiple non-filtered consumers not allowed on workqueue stream",
    } satisfies Err);
    expect((await durable("WQ3", "A", { filter_subject: "wq3.a" })).error).toEqual({
      code: 400,
      err_code: 10100,
      description: "filtered consumer not unique on workqueue stream",
    } satisfies Err);
    // Re-creating the existing consumer with its own config is not a conflict with itself.
    expect((await durable("WQ3", "ALL")).error).toBeUndefined();

    expect(await api(nc, "CONSUMER.DELETE.WQ3.ALL")).toMatchObject({ success: true });
    await pullConsumer("WQ3", "A", { filter_subject: "wq3.a" });
    await pullConsumer("WQ3", "B", { filter_subject: "wq3.b.>" });
    for (const [name, filter] of [
      ["STAR", "wq3.*"],
      ["SUB", "wq3.b.c"],
      ["GT", "wq3.>"],
    ] as const) {
      expect((await durable("WQ3", name, { filter_subject: filter })).error, filter).toEqual({
        code: 400,
        err_code: 10100,
        description: "filtered consumer not unique on workqueue stream",
      });
    }
    // Ephemerals count too.
    const eph = await api(nc, "CONSUMER.CREATE.WQ3", { stream_name: "WQ3", config: { ack_policy: "explicit", filter_subject: "wq3.a" } });
    expect((eph.error as Err).err_code).toBe(10100);
    // An unfiltered consumer next to any existing consumer is refused with 10099 (nats-server checks "no
    // filter" before it checks overlaps).
    expect((await durable("WQ3", "ALL3")).error).toEqual({
      code: 400,
      err_code: 10099,
      description: "multiple non-filtered consumers not allowed on workqueue stream",
    });
    // A disjoint filter is fine.
    await pullConsumer("WQ3", "C", { filter_subject: "wq3.c" });
    expect((await state("WQ3")).consumer_count).toBe(3);
  });

  it("filtered consumers each take their own subjects' messages", async () => {
    await createStream({ name: "WQ4", subjects: ["wq4.>"], retention: "workqueue" });
    await pullConsumer("WQ4", "A", { filter_subject: "wq4.a" });
    await pullConsumer("WQ4", "B", { filter_subject: "wq4.b" });
    await publish(nc, "wq4.a", "a1");
    await publish(nc, "wq4.b", "b1");
    await publish(nc, "wq4.c", "c1");
    const a = await next("WQ4", "A");
    expect(a.string()).toBe("a1");
    await ack(a);
    await waitUntil(async () => (await state("WQ4")).messages === 2, 5000, "a1 removed");
    expect(await storedSeqs("WQ4")).toEqual([2, 3]);
    const b = await next("WQ4", "B");
    expect(b.string()).toBe("b1");
    await ack(b);
    await waitUntil(async () => (await state("WQ4")).messages === 1, 5000, "b1 removed");
    // Nobody consumes wq4.c: it stays.
    expect(await storedSeqs("WQ4")).toEqual([3]);
  });
});

describe("interest retention", () => {
  it("with no consumers a publish is acked with a sequence but not stored", async () => {
    await createStream({ name: "IN1", subjects: ["in1.>"], retention: "interest" });
    expect(await publish(nc, "in1.a", "x")).toEqual({ stream: "IN1", seq: 1 });
    expect(await publish(nc, "in1.a", "y")).toEqual({ stream: "IN1", seq: 2 });
    expect(await state("IN1")).toMatchObject({ messages: 0, bytes: 0, first_seq: 3, last_seq: 2, consumer_count: 0 });
    // A consumer created afterwards finds nothing.
    await pullConsumer("IN1", "C");
    const none = await nc.request("$JS.API.CONSUMER.MSG.NEXT.IN1.C", JSON.stringify({ batch: 1, no_wait: true }), { timeout: 5000, noMux: true });
    expect(none.headers?.code).toBe(404);
    // Now there is interest: the next publish is stored.
    expect(await publish(nc, "in1.a", "z")).toEqual({ stream: "IN1", seq: 3 });
    expect(await state("IN1")).toMatchObject({ messages: 1, first_seq: 3, last_seq: 3 });
  });

  it("a message stays until every consumer acked it", async () => {
    await createStream({ name: "IN2", subjects: ["in2.>"], retention: "interest" });
    await pullConsumer("IN2", "A");
    await pullConsumer("IN2", "B");
    await publish(nc, "in2.x", "m1");
    expect((await state("IN2")).messages).toBe(1);

    const a = await next("IN2", "A");
    await ack(a);
    expect(await ackFloor("IN2", "A")).toBe(1);
    // B has not acked yet.
    expect((await state("IN2")).messages).toBe(1);
    const b = await next("IN2", "B");
    // Delivered to B, not acked: still there.
    expect((await state("IN2")).messages).toBe(1);
    await ack(b);
    await waitUntil(async () => (await state("IN2")).messages === 0, 5000, "message removed after both acks");
    expect(await state("IN2")).toMatchObject({ messages: 0, first_seq: 2, last_seq: 1, consumer_count: 2 });
  });

  it("a consumer whose filter does not match a message does not hold it", async () => {
    await createStream({ name: "IN3", subjects: ["in3.>"], retention: "interest" });
    await pullConsumer("IN3", "A", { filter_subject: "in3.a" });
    await pullConsumer("IN3", "ALL");
    await publish(nc, "in3.b", "only ALL cares");
    expect((await state("IN3")).messages).toBe(1);
    await ack(await next("IN3", "ALL"));
    await waitUntil(async () => (await state("IN3")).messages === 0, 5000, "message removed after ALL acked");
    // And a subject no consumer is interested in is not stored at all.
    await api(nc, "CONSUMER.DELETE.IN3.ALL");
    expect((await publish(nc, "in3.b", "nobody")).seq).toBe(2);
    expect(await state("IN3")).toMatchObject({ messages: 0, last_seq: 2 });
    await publish(nc, "in3.a", "A cares");
    expect(await state("IN3")).toMatchObject({ messages: 1, first_seq: 3, last_seq: 3 });
  });

  it("deleting a consumer releases the messages only it was holding", async () => {
    await createStream({ name: "IN4", subjects: ["in4.>"], retention: "interest" });
    await pullConsumer("IN4", "A");
    await pullConsumer("IN4", "B");
    await publish(nc, "in4.x", "m1");
    await publish(nc, "in4.x", "m2");
    await publish(nc, "in4.x", "m3");
    // A acks m1 and m2; B acks only m1. So m2 is held by B alone, m3 by both.
    for (let i = 0; i < 2; i++) await ack(await next("IN4", "A"));
    await ack(await next("IN4", "B"));
    expect(await ackFloor("IN4", "A")).toBe(2);
    expect(await ackFloor("IN4", "B")).toBe(1);
    await waitUntil(async () => (await state("IN4")).messages === 2, 5000, "m1 removed");
    expect(await storedSeqs("IN4")).toEqual([2, 3]);

    expect(await api(nc, "CONSUMER.DELETE.IN4.B")).toMatchObject({ success: true });
    await waitUntil(async () => (await state("IN4")).messages === 1, 5000, "m2 released by deleting B");
    // m3 is still wanted by A.
    expect(await storedSeqs("IN4")).toEqual([3]);
    const m3 = await next("IN4", "A");
    expect(m3.string()).toBe("m3");
    await ack(m3);
    await waitUntil(async () => (await state("IN4")).messages === 0, 5000, "m3 removed");
  });
});

describe("limits retention", () => {
  it("acks do not remove messages", async () => {
    await createStream({ name: "LIM", subjects: ["lim.>"] });
    await pullConsumer("LIM", "A");
    await pullConsumer("LIM", "B");
    for (let i = 1; i <= 3; i++) await publish(nc, "lim.x", `m${i}`);
    for (const c of ["A", "B"]) for (let i = 0; i < 3; i++) await ack(await next("LIM", c));
    expect(await ackFloor("LIM", "A")).toBe(3);
    expect(await ackFloor("LIM", "B")).toBe(3);
    expect(await state("LIM")).toMatchObject({ messages: 3, first_seq: 1, last_seq: 3 });
    // Deleting the consumers does not remove anything either.
    await api(nc, "CONSUMER.DELETE.LIM.A");
    await api(nc, "CONSUMER.DELETE.LIM.B");
    expect(await state("LIM")).toMatchObject({ messages: 3, first_seq: 1, last_seq: 3, consumer_count: 0 });
    // Two unfiltered consumers are fine on a limits stream.
    await pullConsumer("LIM", "C");
    await pullConsumer("LIM", "D");
  });
});

describe("retention across a server restart", () => {
  it("acks taken before the restart still count after it (workqueue and interest)", async () => {
    // The restart is the same config (same store dir) started again; for nats-server that is a new process
    // on a new port, which works the same way.
    const dir = storeDir();
    const conf = `jetstream { store_dir: "${dir}" }\n`;
    let s = await startConfigured(conf);
    let c = await connect({ servers: s.url, reconnect: false });
    const call = async (subject: string, body?: unknown) => {
      const m = await c.request(`$JS.API.${subject}`, body === undefined ? "" : JSON.stringify(body), { timeout: 5000 });
      return JSON.parse(m.string()) as Record<string, unknown>;
    };
    const pull = async (stream: string, consumer: string) => {
      const m = await c.request(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`, JSON.stringify({ batch: 1, no_wait: true }), { timeout: 5000, noMux: true });
      expect(m.headers?.code ?? 0).toBe(0);
      return m;
    };
    const st = async (stream: string) => (await call(`STREAM.INFO.${stream}`)).state as { messages: number; first_seq: number; last_seq: number };
    const consumer = (stream: string, name: string) =>
      call(`CONSUMER.DURABLE.CREATE.${stream}.${name}`, { stream_name: stream, config: { durable_name: name, ack_policy: "explicit" } });

    await call("STREAM.CREATE.RWQ", { name: "RWQ", subjects: ["rwq.>"], retention: "workqueue" });
    await call("STREAM.CREATE.RIN", { name: "RIN", subjects: ["rin.>"], retention: "interest" });
    await consumer("RWQ", "W");
    await consumer("RIN", "A");
    await consumer("RIN", "B");
    for (const m of ["m1", "m2"]) {
      await c.request("rwq.x", m, { timeout: 5000 });
      await c.request("rin.x", m, { timeout: 5000 });
    }
    await c.request((await pull("RWQ", "W")).reply!, "+ACK", { timeout: 5000 });
    await c.request((await pull("RIN", "A")).reply!, "+ACK", { timeout: 5000 });
    await waitUntil(async () => (await st("RWQ")).messages === 1, 5000, "workqueue message removed");
    expect((await st("RIN")).messages).toBe(2);
    await c.close();
    await s.close();

    s = await startConfigured(conf);
    c = await connect({ servers: s.url, reconnect: false });
    try {
      expect(await st("RWQ")).toMatchObject({ messages: 1, first_seq: 2, last_seq: 2 });
      expect(await st("RIN")).toMatchObject({ messages: 2, first_seq: 1, last_seq: 2 });
      // B's ack of m1 removes it now: A's ack from before the restart still counts.
      const b1 = await pull("RIN", "B");
      expect(b1.string()).toBe("m1");
      await c.request(b1.reply!, "+ACK", { timeout: 5000 });
      await waitUntil(async () => (await st("RIN")).messages === 1, 5000, "m1 removed after B's ack");
      expect(await st("RIN")).toMatchObject({ first_seq: 2, last_seq: 2 });
      // The workqueue consumer continues with m2, and acking it empties the stream.
      const w2 = await pull("RWQ", "W");
      expect(w2.string()).toBe("m2");
      await c.request(w2.reply!, "+ACK", { timeout: 5000 });
      await waitUntil(async () => (await st("RWQ")).messages === 0, 5000, "workqueue emptied");
    } finally {
      await c.close();
      await s.close();
    }
  });
});

import { type JsMsg, type Msg, type NatsConnection, type Subscription, connect, consumerOpts } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Clients } from "./helpers/clients.js";
import { api, publish, storeDir } from "./helpers/jetstream.js";
import { RawClient } from "./helpers/raw-client.js";
import { validateResponse } from "./helpers/schemas.js";
import { type Target, startConfigured } from "./helpers/target.js";
import { waitUntil } from "./helpers/wait.js";

/**
 * Push consumers as nats-server 2.9.10 runs them: deliveries on the deliver subject with the original
 * subject and the 9-token ack reply, push_bound, deliver groups, idle heartbeats, flow control,
 * headers_only, deliver and ack policies, refused configurations, and the `nats` client's js.subscribe.
 * Runs against the real nats-server with TSNATS_TEST_TARGET=nats-server.
 */
let srv: Target;
let nc: NatsConnection;
const clients = new Clients(() => srv.url);
const raws: RawClient[] = [];

beforeAll(async () => {
  srv = await startConfigured(`jetstream { store_dir: "${storeDir()}" }`);
  nc = await connect({ servers: srv.url });
});
afterEach(async () => {
  for (const r of raws.splice(0)) r.close();
  await clients.closeAll();
});
afterAll(async () => {
  await nc.close();
  await srv.close();
});

const enc = new TextEncoder();
const KiB = 1024;
const MiB = 1024 * KiB;

// ---- helpers -------------------------------------------------------------------------------------

async function stream(name: string, subjects: string[]): Promise<void> {
  const r = await api(nc, `STREAM.CREATE.${name}`, { name, subjects });
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
}

/** DURABLE.CREATE, validated against the schema; the raw response (errors included). */
async function createRaw(streamName: string, config: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await api(nc, `CONSUMER.DURABLE.CREATE.${streamName}.${String(config.durable_name)}`, { stream_name: streamName, config });
  validateResponse("consumer_create_response", r);
  return r;
}

async function consumer(streamName: string, config: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await createRaw(streamName, config);
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
  expect(r.type).toBe("io.nats.jetstream.api.v1.consumer_create_response");
  return r;
}

async function info(streamName: string, name: string): Promise<Record<string, unknown>> {
  const r = await api(nc, `CONSUMER.INFO.${streamName}.${name}`);
  validateResponse("consumer_info_response", r);
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
  return r;
}

/** Publishes `n` messages of `size` bytes without waiting for acks, then waits until the stream has them. */
async function fill(streamName: string, subject: string, n: number, size: number): Promise<void> {
  const payload = new Uint8Array(size).fill(120);
  for (let i = 0; i < n; i++) nc.publish(subject, payload);
  await nc.flush();
  await waitUntil(async () => ((await api(nc, `STREAM.INFO.${streamName}`)).state as { messages: number }).messages === n, 10_000, `${n} messages in ${streamName}`);
}

interface AckTokens {
  stream: string;
  consumer: string;
  delivered: number;
  sseq: number;
  cseq: number;
  ts: bigint;
  pending: number;
}

/** `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`: exactly 9 tokens in 2.9.10. */
function ackTokens(reply: string | undefined): AckTokens {
  const t = (reply ?? "").split(".");
  expect(t, `ack reply ${reply}`).toHaveLength(9);
  expect(t.slice(0, 2)).toEqual(["$JS", "ACK"]);
  for (const x of t.slice(4)) expect(x, `ack reply ${reply}`).toMatch(/^\d+$/);
  return { stream: t[2], consumer: t[3], delivered: Number(t[4]), sseq: Number(t[5]), cseq: Number(t[6]), ts: BigInt(t[7]), pending: Number(t[8]) };
}

/** RFC3339 with up to nanoseconds to Unix ns. */
function nanos(rfc: string): bigint {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(rfc);
  expect(m, rfc).not.toBeNull();
  return BigInt(Date.parse(`${m![1]}Z`)) * 1_000_000n + BigInt((m![2] ?? "").padEnd(9, "0"));
}

async function storedTime(streamName: string, seq: number): Promise<string> {
  const r = await api(nc, `STREAM.MSG.GET.${streamName}`, { seq });
  return (r.message as { time: string }).time;
}

/** Everything a plain `nats` subscription receives, in order. */
function collect(conn: NatsConnection, subject: string, queue?: string): { msgs: Msg[]; sub: Subscription } {
  const msgs: Msg[] = [];
  const sub = conn.subscribe(subject, { ...(queue !== undefined ? { queue } : {}), callback: (_e, m) => msgs.push(m) });
  return { msgs, sub };
}

const isStatus = (m: Msg, code: number, description: string) => m.headers?.code === code && m.headers?.description === description;
const isData = (m: Msg) => m.headers?.code === undefined || m.headers.code === 0;

/** A frame (MSG or HMSG) as a raw client received it; all text latin1, lengths in bytes. */
interface Frame {
  line: string;
  subject: string;
  sid: string;
  reply: string | undefined;
  headers: string | undefined;
  data: string;
}

/** A raw TCP subscriber that parses the MSG/HMSG frames it receives. */
class RawSub {
  readonly frames: Frame[] = [];
  private pos = 0;
  private constructor(readonly raw: RawClient) {}

  static async connect(...subjects: string[]): Promise<RawSub> {
    const raw = await RawClient.connect(srv.port);
    raws.push(raw);
    raw.send(`CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"protocol":1}\r\n`);
    subjects.forEach((s, i) => raw.send(`SUB ${s} ${i + 1}\r\n`));
    await raw.roundTrip();
    const r = new RawSub(raw);
    r.parse();
    return r;
  }

  /** Parses what arrived since the last call; returns the frames so far. */
  parse(): Frame[] {
    const out = this.raw.output;
    for (;;) {
      const eol = out.indexOf("\r\n", this.pos);
      if (eol < 0) break;
      const line = out.slice(this.pos, eol);
      if (line.startsWith("MSG ") || line.startsWith("HMSG ")) {
        const t = line.split(" ");
        const hmsg = t[0] === "HMSG";
        const total = Number(t[t.length - 1]);
        const hlen = hmsg ? Number(t[t.length - 2]) : 0;
        const argc = hmsg ? 6 : 5;
        const start = eol + 2;
        if (out.length < start + total + 2) break;
        const body = out.slice(start, start + total);
        this.frames.push({
          line,
          subject: t[1],
          sid: t[2],
          reply: t.length === argc ? t[3] : undefined,
          headers: hmsg ? body.slice(0, hlen) : undefined,
          data: body.slice(hlen),
        });
        this.pos = start + total + 2;
      } else {
        if (line === "PING") this.raw.send("PONG\r\n");
        this.pos = eol + 2;
      }
    }
    return this.frames;
  }

  data(): Frame[] {
    return this.parse().filter((f) => f.headers === undefined || !f.headers.startsWith("NATS/1.0 1"));
  }

  status(what: string): Frame[] {
    return this.parse().filter((f) => f.headers?.startsWith(`NATS/1.0 ${what}\r\n`) === true);
  }

  async waitFor(cond: (r: RawSub) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    await waitUntil(() => cond(this), timeoutMs, what);
  }
}

// ---- tests ---------------------------------------------------------------------------------------

describe("push delivery", () => {
  it("delivers on the original subject with the 9-token ack reply and the original headers; acks move the ack floor", async () => {
    await stream("P1", ["p1.>"]);
    await publish(nc, "p1.a", "one", { "X-A": "1" });
    await publish(nc, "p1.b", "two");
    const { msgs, sub } = collect(nc, "dlv.p1");
    await nc.flush();

    const c = await consumer("P1", { durable_name: "PB", deliver_subject: "dlv.p1", ack_policy: "explicit" });
    expect(c.config).toEqual({
      durable_name: "PB",
      deliver_policy: "all",
      ack_policy: "explicit",
      ack_wait: 30_000_000_000,
      max_deliver: -1,
      replay_policy: "instant",
      max_ack_pending: 1000,
      deliver_subject: "dlv.p1",
      num_replicas: 0,
    });
    expect(c.push_bound).toBe(true);
    expect(c.num_waiting).toBe(0);

    await waitUntil(() => msgs.length >= 2, 5000, "2 deliveries");
    const [m1, m2] = msgs;
    expect(m1.subject).toBe("p1.a");
    expect(m1.string()).toBe("one");
    expect(m1.headers?.get("X-A")).toBe("1");
    expect(m2.subject).toBe("p1.b");
    expect(m2.string()).toBe("two");
    expect(m2.headers).toBeUndefined();

    const t1 = ackTokens(m1.reply);
    expect(t1).toMatchObject({ stream: "P1", consumer: "PB", delivered: 1, sseq: 1, cseq: 1, pending: 1 });
    expect(t1.ts).toBe(nanos(await storedTime("P1", 1)));
    const t2 = ackTokens(m2.reply);
    expect(t2).toMatchObject({ stream: "P1", consumer: "PB", delivered: 1, sseq: 2, cseq: 2, pending: 0 });
    expect(t2.ts).toBe(nanos(await storedTime("P1", 2)));

    let i = await info("P1", "PB");
    expect(i.type).toBe("io.nats.jetstream.api.v1.consumer_info_response");
    expect(i.delivered).toEqual({ consumer_seq: 2, stream_seq: 2, last_active: expect.any(String) });
    expect(i.ack_floor).toEqual({ consumer_seq: 0, stream_seq: 0 });
    expect(i).toMatchObject({ num_ack_pending: 2, num_redelivered: 0, num_waiting: 0, num_pending: 0, push_bound: true });

    // An ack sent as a request is answered (with an empty message) once the server has it.
    const r1 = await nc.request(m1.reply!, enc.encode("+ACK"), { timeout: 2000 });
    expect(r1.data.length).toBe(0);
    i = await info("P1", "PB");
    expect(i.ack_floor).toEqual({ consumer_seq: 1, stream_seq: 1, last_active: expect.any(String) });
    expect(i.num_ack_pending).toBe(1);
    await nc.request(m2.reply!, new Uint8Array(0), { timeout: 2000 }); // an empty ack is an ack too
    i = await info("P1", "PB");
    expect(i.ack_floor).toEqual({ consumer_seq: 2, stream_seq: 2, last_active: expect.any(String) });
    expect(i.num_ack_pending).toBe(0);

    // push_bound is there only while someone listens on the deliver subject.
    sub.unsubscribe();
    await nc.flush();
    await waitUntil(async () => !("push_bound" in (await info("P1", "PB"))), 5000, "push_bound to go");
    const again = collect(nc, "dlv.p1");
    await nc.flush();
    await waitUntil(async () => (await info("P1", "PB")).push_bound === true, 5000, "push_bound to come back");
    again.sub.unsubscribe();
  });

  it("a consumer created before anyone subscribes loses nothing: delivery starts when the subscription appears", async () => {
    await stream("P2", ["p2.>"]);
    for (let n = 1; n <= 3; n++) await publish(nc, "p2.x", `m${n}`);
    const c = await consumer("P2", { durable_name: "LATE", deliver_subject: "dlv.p2", ack_policy: "none" });
    expect(c).not.toHaveProperty("push_bound");
    expect(c).toMatchObject({ delivered: { consumer_seq: 0, stream_seq: 0 }, num_pending: 3 });
    for (let n = 4; n <= 5; n++) await publish(nc, "p2.y", `m${n}`);
    const before = await info("P2", "LATE");
    expect(before).not.toHaveProperty("push_bound");
    expect(before).toMatchObject({ delivered: { consumer_seq: 0, stream_seq: 0 }, num_pending: 5 });

    const conn = await clients.connect();
    const { msgs } = collect(conn, "dlv.p2");
    await waitUntil(() => msgs.length >= 5, 5000, "5 deliveries");
    expect(msgs.map((m) => m.string())).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    expect(msgs.map((m) => m.subject)).toEqual(["p2.x", "p2.x", "p2.x", "p2.y", "p2.y"]);
    expect(msgs.map((m) => ackTokens(m.reply).sseq)).toEqual([1, 2, 3, 4, 5]);
    const after = await info("P2", "LATE");
    expect(after).toMatchObject({ delivered: { consumer_seq: 5, stream_seq: 5 }, ack_floor: { consumer_seq: 5, stream_seq: 5 }, num_pending: 0, push_bound: true });
  });

  it("a backlog of thousands goes out whole and in order, in several turns, with publishes arriving meanwhile", async () => {
    await stream("P3", ["p3.>"]);
    const js = nc.jetstream();
    const N = 3000;
    await Promise.all(Array.from({ length: N }, (_, n) => js.publish("p3.x", enc.encode(`m${n + 1}`))));
    const conn = await clients.connect();
    const { msgs } = collect(conn, "dlv.p3");
    await conn.flush();
    await consumer("P3", { durable_name: "BIG", deliver_subject: "dlv.p3", ack_policy: "none" });
    // More come while the backlog is being delivered.
    for (let n = N + 1; n <= N + 20; n++) await publish(nc, "p3.y", `m${n}`);
    await waitUntil(() => msgs.length >= N + 20, 10_000, `${N + 20} deliveries`);
    expect(msgs.map((m) => ackTokens(m.reply).sseq)).toEqual(Array.from({ length: N + 20 }, (_, k) => k + 1));
    expect(msgs.at(-1)!.string()).toBe(`m${N + 20}`);
    expect(await info("P3", "BIG")).toMatchObject({ delivered: { consumer_seq: N + 20, stream_seq: N + 20 }, num_pending: 0 });
  });

  it("deliver_group: a plain subscriber alone gets nothing; queue subscribers in the group share the messages", async () => {
    await stream("G1", ["g1.>"]);
    for (let n = 1; n <= 5; n++) await publish(nc, "g1.x", `m${n}`);
    const plain = collect(nc, "dlv.g1");
    await nc.flush();
    const c = await consumer("G1", { durable_name: "G", deliver_subject: "dlv.g1", deliver_group: "q", ack_policy: "none" });
    expect(c.config).toMatchObject({ deliver_subject: "dlv.g1", deliver_group: "q" });
    expect(c).not.toHaveProperty("push_bound");
    // "Nothing happens" cannot be awaited; the consumer's own count of deliveries shows it, after a round trip.
    const i0 = await info("G1", "G");
    await nc.flush();
    expect(plain.msgs).toHaveLength(0);
    expect(i0).not.toHaveProperty("push_bound");
    expect(i0).toMatchObject({ delivered: { consumer_seq: 0, stream_seq: 0 }, num_pending: 5 });
    plain.sub.unsubscribe();
    await nc.flush();

    const [c1, c2] = [await clients.connect(), await clients.connect()];
    const q1 = collect(c1, "dlv.g1", "q");
    const q2 = collect(c2, "dlv.g1", "q");
    await Promise.all([c1.flush(), c2.flush()]);
    await waitUntil(async () => (await info("G1", "G")).push_bound === true, 5000, "push_bound");
    for (let n = 6; n <= 45; n++) await publish(nc, "g1.x", `m${n}`);
    await waitUntil(() => q1.msgs.length + q2.msgs.length >= 45, 5000, "45 deliveries in the group");
    const seqs = [...q1.msgs, ...q2.msgs].map((m) => ackTokens(m.reply).sseq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 45 }, (_, k) => k + 1));
    expect(q1.msgs.length).toBeGreaterThan(0);
    expect(q2.msgs.length).toBeGreaterThan(0);
    expect(plain.msgs).toHaveLength(0);
    expect(await info("G1", "G")).toMatchObject({ delivered: { consumer_seq: 45, stream_seq: 45 }, push_bound: true });
  });
});

describe("idle heartbeats", () => {
  it("are 100 Idle Heartbeat status messages without reply, with Nats-Last-Consumer and Nats-Last-Stream, sent while idle", async () => {
    await stream("HB1", ["hb1.>"]);
    await publish(nc, "hb1.a", "one");
    await publish(nc, "hb1.b", "two");

    // Through the nats client.
    const { msgs, sub } = collect(nc, "dlv.hb1");
    await nc.flush();
    const c = await consumer("HB1", { durable_name: "HB", deliver_subject: "dlv.hb1", ack_policy: "none", idle_heartbeat: 100_000_000 });
    expect(c.config).toMatchObject({ idle_heartbeat: 100_000_000 });
    const heartbeats = () => msgs.filter((m) => isStatus(m, 100, "Idle Heartbeat"));
    await waitUntil(() => heartbeats().length >= 2, 5000, "2 heartbeats");
    expect(msgs.filter(isData).map((m) => m.string())).toEqual(["one", "two"]);
    for (const hb of heartbeats()) {
      expect(hb.subject).toBe("dlv.hb1");
      expect(hb.reply || undefined).toBeUndefined();
      expect(hb.data.length).toBe(0);
      expect(hb.headers?.get("Nats-Last-Consumer")).toBe("2");
      expect(hb.headers?.get("Nats-Last-Stream")).toBe("2");
    }
    sub.unsubscribe();

    // On the wire, also for a consumer that never delivered anything.
    const raw = await RawSub.connect("dlv.hb0");
    const c0 = await consumer("HB1", { durable_name: "HB0", deliver_subject: "dlv.hb0", ack_policy: "explicit", deliver_policy: "new", idle_heartbeat: 100_000_000 });
    expect(c0.delivered).toEqual({ consumer_seq: 0, stream_seq: 2 });
    await raw.waitFor((r) => r.status("100 Idle Heartbeat").length >= 3, "3 heartbeats");
    const hbText = "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 0\r\nNats-Last-Stream: 2\r\n\r\n";
    for (const f of raw.status("100 Idle Heartbeat")) {
      // nats-server writes the empty reply as an empty token (two spaces); soft, so the rest is still checked.
      expect.soft(f.line).toBe(`HMSG dlv.hb0 1  ${hbText.length} ${hbText.length}`);
      expect(f.headers).toBe(hbText);
      expect(f.data).toBe("");
    }
    expect(raw.data()).toHaveLength(0);

    // After a delivery, the heartbeats report it.
    await publish(nc, "hb1.c", "three");
    await raw.waitFor((r) => r.data().length === 1, "the new message");
    const n = raw.status("100 Idle Heartbeat").length;
    await raw.waitFor((r) => r.status("100 Idle Heartbeat").length > n, "a heartbeat after the delivery");
    expect(raw.data()[0]).toMatchObject({ subject: "hb1.c", data: "three" });
    expect(ackTokens(raw.data()[0].reply)).toMatchObject({ consumer: "HB0", delivered: 1, sseq: 3, cseq: 1, pending: 0 });
    expect(raw.status("100 Idle Heartbeat").at(-1)!.headers).toBe("NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 1\r\nNats-Last-Stream: 3\r\n\r\n");
  });
});

describe("flow control", () => {
  const N = 300;
  const SIZE = 32 * KiB;

  it("the nats client answers flow control: a backlog of several MiB arrives complete and in order", async () => {
    await stream("FCA", ["fca"]);
    await fill("FCA", "fca", N, SIZE);

    // A second listener that does not answer, to see the flow-control requests.
    const spyConn = await clients.connect();
    const spy = collect(spyConn, "dlv.fca");
    await spyConn.flush();

    const conn = await clients.connect();
    const js = conn.jetstream();
    const seqs: number[] = [];
    const sizes = new Set<number>();
    const errors: unknown[] = [];
    const opts = consumerOpts()
      .durable("FCA")
      .deliverTo("dlv.fca")
      .deliverAll()
      .ackNone()
      .flowControl()
      .idleHeartbeat(200)
      .callback((err, m) => {
        if (err) errors.push(err);
        if (m) {
          seqs.push(m.seq);
          sizes.add(m.data.length);
        }
      });
    const sub = await js.subscribe("fca", opts);
    await waitUntil(() => seqs.length >= N, 10_000, `${N} messages through js.subscribe`);
    expect(seqs).toEqual(Array.from({ length: N }, (_, k) => k + 1));
    expect([...sizes]).toEqual([SIZE]);
    expect(errors).toEqual([]);

    // The listener on the other connection may lag behind: wait until it saw everything too.
    await waitUntil(() => spy.msgs.filter(isData).length >= N, 10_000, `${N} messages at the listener`);
    const fcs = spy.msgs.filter((m) => isStatus(m, 100, "FlowControl Request"));
    expect(fcs.length).toBeGreaterThan(0);
    for (const fc of fcs) {
      expect(fc.subject).toBe("dlv.fca");
      expect(fc.reply).toMatch(/^\$JS\.FC\.FCA\.FCA\.[^.]+$/);
      expect(fc.data.length).toBe(0);
    }
    const i = await info("FCA", "FCA");
    expect(i.config).toMatchObject({ flow_control: true, idle_heartbeat: 200_000_000, deliver_subject: "dlv.fca" });
    expect(i.delivered).toMatchObject({ consumer_seq: N, stream_seq: N });
    await sub.unsubscribe();
  });

  it("a backlog delivered while the same client publishes to its own subscription (acks, flow-control replies and publishes in the same batches): both arrive whole and in order", async () => {
    await stream("FCO", ["fco"]);
    await fill("FCO", "fco", N, SIZE);
    const conn = await clients.connect();
    const own: number[] = [];
    conn.subscribe("own.echo", { callback: (_e, m) => own.push(Number(new TextDecoder().decode(m.data))) });
    const seqs: number[] = [];
    const opts = consumerOpts()
      .durable("FCO")
      .deliverTo("dlv.fco")
      .deliverAll()
      .ackExplicit()
      .flowControl()
      .idleHeartbeat(200)
      .callback((_err, m) => {
        if (!m) return;
        seqs.push(m.seq);
        m.ack();
        // Publishes that travel in the same batches as acks and flow-control replies.
        conn.publish("own.echo", enc.encode(String(seqs.length)));
      });
    const sub = await conn.jetstream().subscribe("fco", opts);
    await waitUntil(() => seqs.length >= N && own.length >= N, 10_000, `${N} stream messages and ${N} own messages`);
    expect(seqs).toEqual(Array.from({ length: N }, (_, k) => k + 1));
    expect(own).toEqual(Array.from({ length: N }, (_, k) => k + 1));
    await waitUntil(async () => (await info("FCO", "FCO")).num_ack_pending === 0, 10_000, "every delivery acknowledged");
    await sub.unsubscribe();
  });

  it("a subscriber that does not answer stalls delivery after about 2 MiB; answering the request resumes it", async () => {
    await stream("FCB", ["fcb"]);
    await fill("FCB", "fcb", N, SIZE);
    const raw = await RawSub.connect("dlv.fcb");
    await consumer("FCB", { durable_name: "FCB", deliver_subject: "dlv.fcb", ack_policy: "none", flow_control: true, idle_heartbeat: 100_000_000 });

    // Stalled: the heartbeats say so, naming the unanswered request.
    const stalledBeat = () => raw.status("100 Idle Heartbeat").find((f) => f.headers!.includes("Nats-Consumer-Stalled:"));
    await raw.waitFor(() => stalledBeat() !== undefined, "a heartbeat saying the consumer is stalled");
    const fcs = raw.status("100 FlowControl Request");
    expect(fcs.length).toBeGreaterThan(0);
    const fc = fcs[0];
    expect(fc.reply).toMatch(/^\$JS\.FC\.FCB\.FCB\.[^.]+$/);
    expect(fc.line).toBe(`HMSG dlv.fcb 1 ${fc.reply} 36 36`);
    expect(fc.headers).toBe("NATS/1.0 100 FlowControl Request\r\n\r\n");
    expect(fc.data).toBe("");
    const unanswered = fcs.at(-1)!;
    expect(stalledBeat()!.headers).toContain(`\r\nNats-Consumer-Stalled: ${unanswered.reply}\r\n`);

    // Everything before the stalled heartbeat is all that was delivered.
    const stalledAt = raw.frames.indexOf(stalledBeat()!);
    const delivered = raw.frames.slice(0, stalledAt).filter((f) => f.headers === undefined).length;
    expect(delivered * SIZE).toBeGreaterThanOrEqual(1.5 * MiB);
    expect(delivered * SIZE).toBeLessThanOrEqual(2.5 * MiB);
    // The first request came after about 1 MiB.
    const beforeFirstFc = raw.frames.slice(0, raw.frames.indexOf(fc)).filter((f) => f.headers === undefined).length;
    expect(beforeFirstFc * SIZE).toBeGreaterThanOrEqual(0.5 * MiB);
    expect(beforeFirstFc * SIZE).toBeLessThanOrEqual(1.5 * MiB);
    expect(delivered).toBeLessThan(N);
    await raw.raw.roundTrip();
    expect(raw.data()).toHaveLength(delivered);
    expect((await info("FCB", "FCB")).delivered).toMatchObject({ consumer_seq: delivered, stream_seq: delivered });

    // Answering (an empty message to the request's reply) resumes delivery; later requests are answered too.
    const answered = new Set<string>();
    const answer = (r: RawSub) => {
      for (const f of r.status("100 FlowControl Request")) {
        if (answered.has(f.reply!)) continue;
        answered.add(f.reply!);
        r.raw.send(`PUB ${f.reply} 0\r\n\r\n`);
      }
    };
    answer(raw);
    await raw.waitFor((r) => {
      answer(r);
      return r.data().length >= N;
    }, `all ${N} messages after answering`);
    const data = raw.data();
    expect(data.map((f) => ackTokens(f.reply).sseq)).toEqual(Array.from({ length: N }, (_, k) => k + 1));
    expect(data.every((f) => f.subject === "fcb" && f.data.length === SIZE)).toBe(true);
  });
});

describe("headers_only", () => {
  it("delivers an empty body with Nats-Msg-Size after the original headers", async () => {
    await stream("HO", ["ho.>"]);
    await publish(nc, "ho.a", "abc", { "X-A": "1" });
    await publish(nc, "ho.b", "hello!");
    const raw = await RawSub.connect("dlv.ho");
    const c = await consumer("HO", { durable_name: "HO", deliver_subject: "dlv.ho", ack_policy: "none", headers_only: true });
    expect(c.config).toMatchObject({ headers_only: true });
    await raw.waitFor((r) => r.data().length >= 2, "2 deliveries");
    const [a, b] = raw.data();
    const ah = "NATS/1.0\r\nX-A: 1\r\nNats-Msg-Size: 3\r\n\r\n";
    expect(a).toMatchObject({ subject: "ho.a", headers: ah, data: "" });
    expect(a.line).toBe(`HMSG ho.a 1 ${a.reply} ${ah.length} ${ah.length}`);
    const bh = "NATS/1.0\r\nNats-Msg-Size: 6\r\n\r\n";
    expect(b).toMatchObject({ subject: "ho.b", headers: bh, data: "" });
    expect(b.line).toBe(`HMSG ho.b 1 ${b.reply} ${bh.length} ${bh.length}`);
    expect(ackTokens(a.reply)).toMatchObject({ stream: "HO", consumer: "HO", sseq: 1, cseq: 1 });
  });
});

describe("deliver policies", () => {
  it("all, new, last, by_start_sequence, by_start_time and last_per_subject start where they should", async () => {
    await stream("DP", ["dp.>"]);
    // 1 dp.a, 2 dp.b, 3 dp.c, 4 dp.a, 5 dp.b, 6 dp.a, 7 dp.x.y
    await publish(nc, "dp.a", "1");
    await publish(nc, "dp.b", "2");
    await publish(nc, "dp.c", "3");
    const t = Date.now();
    await waitUntil(() => Date.now() >= t + 3, 1000, "the clock to move on"); // seq 4 gets a later time than seq 3
    for (const [s, d] of [["dp.a", "4"], ["dp.b", "5"], ["dp.a", "6"], ["dp.x.y", "7"]]) await publish(nc, s, d);
    const t4 = await storedTime("DP", 4);
    expect(nanos(t4)).toBeGreaterThan(nanos(await storedTime("DP", 3)));

    const cases: Array<{ name: string; config: Record<string, unknown>; initial: number; pending: number; expect: number[] }> = [
      { name: "ALL", config: { deliver_policy: "all" }, initial: 0, pending: 7, expect: [1, 2, 3, 4, 5, 6, 7, 8] },
      { name: "NEW", config: { deliver_policy: "new" }, initial: 7, pending: 0, expect: [8] },
      { name: "LAST", config: { deliver_policy: "last" }, initial: 6, pending: 1, expect: [7, 8] },
      { name: "SEQ", config: { deliver_policy: "by_start_sequence", opt_start_seq: 3 }, initial: 2, pending: 5, expect: [3, 4, 5, 6, 7, 8] },
      { name: "TIME", config: { deliver_policy: "by_start_time", opt_start_time: t4 }, initial: 3, pending: 4, expect: [4, 5, 6, 7, 8] },
      { name: "LPS", config: { deliver_policy: "last_per_subject", filter_subject: "dp.*" }, initial: 2, pending: 3, expect: [3, 5, 6, 8] },
    ];
    // Created with nobody listening, so the create responses show where each starts.
    for (const k of cases) {
      const r = await consumer("DP", { durable_name: k.name, deliver_subject: `dlv.dp.${k.name}`, ack_policy: "none", ...k.config });
      expect(r.config, k.name).toMatchObject(k.config);
      expect(r.delivered, k.name).toEqual({ consumer_seq: 0, stream_seq: k.initial });
      expect(r.num_pending, k.name).toBe(k.pending);
    }
    const got = new Map(cases.map((k) => [k.name, collect(nc, `dlv.dp.${k.name}`).msgs]));
    await nc.flush();
    for (const k of cases) await waitUntil(() => got.get(k.name)!.length >= k.expect.length - 1, 5000, `${k.name} deliveries`);
    // Then one more message (dp.b, so last_per_subject's filter matches it): each ends with it.
    await publish(nc, "dp.b", "8");
    for (const k of cases) {
      const msgs = got.get(k.name)!;
      await waitUntil(() => msgs.length >= 1 && ackTokens(msgs.at(-1)!.reply).sseq === 8, 5000, `${k.name} to get seq 8`);
      expect(msgs.map((m) => ackTokens(m.reply).sseq), k.name).toEqual(k.expect);
      expect(msgs.map((m) => m.string()), k.name).toEqual(k.expect.map(String));
      expect(msgs.map((m) => ackTokens(m.reply).cseq), k.name).toEqual(k.expect.map((_, n) => n + 1));
    }
  });
});

describe("ack policies", () => {
  it("explicit: an unacknowledged message is redelivered after ack_wait with delivered count 2", async () => {
    await stream("AK1", ["ak1.>"]);
    await publish(nc, "ak1.a", "one");
    await publish(nc, "ak1.b", "two");
    await consumer("AK1", { durable_name: "EXP", deliver_subject: "dlv.ak1", ack_policy: "explicit", ack_wait: 300_000_000 });

    const conn = await clients.connect();
    const js = conn.jetstream();
    const seen: Array<{ seq: number; redelivered: boolean; count: number; cseq: number; at: number }> = [];
    const msgs: JsMsg[] = [];
    let ack2: Promise<boolean> | undefined;
    const opts = consumerOpts()
      .bind("AK1", "EXP")
      .manualAck()
      .callback((_err, m: JsMsg | null) => {
        if (!m) return;
        seen.push({ seq: m.seq, redelivered: m.redelivered, count: m.info.redeliveryCount, cseq: m.info.deliverySequence, at: Date.now() });
        msgs.push(m);
        // seq 2 is acknowledged at once, seq 1 is left to time out.
        if (m.seq === 2) ack2 = m.ackAck({ timeout: 2000 });
      });
    const sub = await js.subscribe("ak1.>", opts);
    await waitUntil(() => seen.length >= 3, 5000, "the redelivery");
    expect(seen.map(({ seq, redelivered, count, cseq }) => ({ seq, redelivered, count, cseq }))).toEqual([
      { seq: 1, redelivered: false, count: 1, cseq: 1 },
      { seq: 2, redelivered: false, count: 1, cseq: 2 },
      { seq: 1, redelivered: true, count: 2, cseq: 3 },
    ]);
    expect(seen[2].at - seen[0].at).toBeGreaterThanOrEqual(250);
    expect(msgs[2].info).toMatchObject({ stream: "AK1", consumer: "EXP", redeliveryCount: 2, streamSequence: 1, deliverySequence: 3, pending: 0 });
    expect(await ack2).toBe(true);
    // num_redelivered counts the redelivered messages still pending.
    let i = await info("AK1", "EXP");
    expect(i).toMatchObject({
      delivered: { consumer_seq: 3, stream_seq: 2 },
      ack_floor: { consumer_seq: 0, stream_seq: 0 },
      num_ack_pending: 1,
      num_redelivered: 1,
      num_pending: 0,
    });
    expect(await msgs[2].ackAck({ timeout: 2000 })).toBe(true);
    i = await info("AK1", "EXP");
    expect(i).toMatchObject({
      delivered: { consumer_seq: 3, stream_seq: 2 },
      ack_floor: { consumer_seq: 3, stream_seq: 2 },
      num_ack_pending: 0,
      num_redelivered: 0,
      num_pending: 0,
    });
    await sub.unsubscribe();
  });

  it("none: the ack floor follows deliveries without acks (the deliveries still carry an ack reply)", async () => {
    await stream("AK2", ["ak2.>"]);
    for (let n = 1; n <= 3; n++) await publish(nc, "ak2.x", `m${n}`);
    const { msgs } = collect(nc, "dlv.ak2");
    await nc.flush();
    const c = await consumer("AK2", { durable_name: "NONE", deliver_subject: "dlv.ak2", ack_policy: "none" });
    expect(c.config).not.toHaveProperty("ack_wait");
    expect(c.config).not.toHaveProperty("max_ack_pending");
    await waitUntil(() => msgs.length >= 3, 5000, "3 deliveries");
    expect(msgs.map((m) => ackTokens(m.reply))).toMatchObject([
      { consumer: "NONE", delivered: 1, sseq: 1, cseq: 1, pending: 2 },
      { consumer: "NONE", delivered: 1, sseq: 2, cseq: 2, pending: 1 },
      { consumer: "NONE", delivered: 1, sseq: 3, cseq: 3, pending: 0 },
    ]);
    const i = await info("AK2", "NONE");
    expect(i).toMatchObject({ delivered: { consumer_seq: 3, stream_seq: 3 }, num_ack_pending: 0, num_redelivered: 0 });
    expect(i.ack_floor).toMatchObject({ consumer_seq: 3, stream_seq: 3 });
  });

  it("all: acknowledging one message acknowledges everything before it", async () => {
    await stream("AK3", ["ak3.>"]);
    for (let n = 1; n <= 3; n++) await publish(nc, "ak3.x", `m${n}`);
    const { msgs } = collect(nc, "dlv.ak3");
    await nc.flush();
    await consumer("AK3", { durable_name: "ALL", deliver_subject: "dlv.ak3", ack_policy: "all" });
    await waitUntil(() => msgs.length >= 3, 5000, "3 deliveries");
    await nc.request(msgs[1].reply!, enc.encode("+ACK"), { timeout: 2000 });
    let i = await info("AK3", "ALL");
    expect(i).toMatchObject({ ack_floor: { consumer_seq: 2, stream_seq: 2 }, num_ack_pending: 1 });
    await nc.request(msgs[2].reply!, enc.encode("+ACK"), { timeout: 2000 });
    i = await info("AK3", "ALL");
    expect(i).toMatchObject({ ack_floor: { consumer_seq: 3, stream_seq: 3 }, num_ack_pending: 0 });
  });
});

describe("refused push configurations", () => {
  it("max_waiting, flow control without heartbeats and a deliver subject inside the stream are refused; the server serves on", async () => {
    await stream("BI", ["bi.>"]);
    const refusals: Array<[Record<string, unknown>, { code: number; err_code: number; description: string }]> = [
      [{ durable_name: "B1", deliver_subject: "dlv.bi", max_waiting: 10 }, { code: 400, err_code: 10080, description: "consumer in push mode can not set max waiting" }],
      [{ durable_name: "B2", deliver_subject: "dlv.bi", flow_control: true }, { code: 400, err_code: 10108, description: "consumer with flow control also needs heartbeats" }],
      [{ durable_name: "B3", deliver_subject: "bi.dlv" }, { code: 400, err_code: 10081, description: "consumer deliver subject forms a cycle" }],
    ];
    for (const [config, error] of refusals) {
      const r = await createRaw("BI", config);
      expect(r.type).toBe("io.nats.jetstream.api.v1.consumer_create_response");
      expect(r.error, JSON.stringify(config)).toEqual(error);
    }
    const names = await api(nc, "CONSUMER.NAMES.BI");
    expect(names.consumers).toEqual([]);

    // The same consumers, fixed, work.
    const { msgs } = collect(nc, "dlv.bi");
    await nc.flush();
    await consumer("BI", { durable_name: "B2", deliver_subject: "dlv.bi", flow_control: true, idle_heartbeat: 200_000_000 });
    await publish(nc, "bi.x", "hello");
    await waitUntil(() => msgs.some(isData), 5000, "a delivery");
    expect(msgs.filter(isData).map((m) => [m.subject, m.string()])).toEqual([["bi.x", "hello"]]);
  });
});

describe("js.subscribe", () => {
  it("a durable push consumer with a queue group, bound by two subscribers, splits and acknowledges everything", async () => {
    await stream("QJ", ["qj.>"]);
    const seen: Array<{ who: number; seq: number }> = [];
    const subs = [];
    for (const who of [1, 2]) {
      const conn = await clients.connect();
      const opts = consumerOpts()
        .durable("QD")
        .queue("workers")
        .deliverTo("dlv.qj")
        .ackExplicit()
        .manualAck()
        .callback((_err, m) => {
          if (!m) return;
          seen.push({ who, seq: m.seq });
          m.ack();
        });
      subs.push(await conn.jetstream().subscribe("qj.>", opts));
    }
    const c = await info("QJ", "QD");
    expect(c.config).toMatchObject({ durable_name: "QD", deliver_subject: "dlv.qj", deliver_group: "workers", ack_policy: "explicit", filter_subject: "qj.>" });
    expect(c.push_bound).toBe(true);

    const js = nc.jetstream();
    for (let n = 1; n <= 30; n++) await js.publish(`qj.${n % 3}`, enc.encode(`m${n}`));
    await waitUntil(() => seen.length >= 30, 5000, "30 deliveries");
    expect(seen.map((s) => s.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, k) => k + 1));
    expect(seen.some((s) => s.who === 1)).toBe(true);
    expect(seen.some((s) => s.who === 2)).toBe(true);
    await waitUntil(async () => (await info("QJ", "QD")).num_ack_pending === 0, 5000, "all acks");
    expect(await info("QJ", "QD")).toMatchObject({
      delivered: { consumer_seq: 30, stream_seq: 30 },
      ack_floor: { consumer_seq: 30, stream_seq: 30 },
      num_redelivered: 0,
      num_pending: 0,
      push_bound: true,
    });
    for (const s of subs) await s.unsubscribe();
  });
});

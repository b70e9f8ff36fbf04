import { AckPolicy, type JsMsg, type Msg, type NatsConnection, connect, createInbox } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, publish, storeDir } from "./helpers/jetstream.js";
import { validateResponse } from "./helpers/schemas.js";
import { type Target, startConfigured } from "./helpers/target.js";
import { waitUntil } from "./helpers/wait.js";

/**
 * Pull consumers as nats-server 2.9.10 serves them: the nats client's fetch/next/consume and ordered
 * consumers, the raw MSG.NEXT request with every status it can get, acks of every kind, redelivery,
 * limits, and consumer state across a restart. Runs against the real nats-server with
 * TSNATS_TEST_TARGET=nats-server.
 */
let srv: Target;
let nc: NatsConnection;
const dir = storeDir();
const config = `jetstream { store_dir: "${dir}" }`;

beforeAll(async () => {
  srv = await startConfigured(config);
  nc = await connect({ servers: srv.url });
});
afterAll(async () => {
  await nc.close();
  await srv.close();
});

const enc = (s: string) => new TextEncoder().encode(s);

async function stream(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  const r = await api(nc, `STREAM.CREATE.${name}`, { name, subjects: [`${name.toLowerCase()}.>`], ...extra });
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
}

async function consumer(streamName: string, name: string, cfg: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const r = await api(nc, `CONSUMER.DURABLE.CREATE.${streamName}.${name}`, { stream_name: streamName, config: { durable_name: name, ack_policy: "explicit", ...cfg } });
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
  return r;
}

async function info(streamName: string, name: string): Promise<Record<string, any>> {
  const r = await api(nc, `CONSUMER.INFO.${streamName}.${name}`);
  validateResponse("consumer_info_response", r);
  return r;
}

async function fill(subjectPrefix: string, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await publish(nc, `${subjectPrefix}.${i}`, `m${i}`);
}

/** A raw pull: MSG.NEXT with `body`, collecting what comes to its inbox until `done` says so. */
class Puller {
  readonly inbox = createInbox();
  readonly got: Msg[] = [];
  private readonly sub = nc.subscribe(this.inbox);

  constructor() {
    void (async () => {
      for await (const m of this.sub) this.got.push(m);
    })();
  }

  request(streamName: string, name: string, body: unknown): void {
    const data = body === undefined ? new Uint8Array(0) : enc(typeof body === "string" ? body : JSON.stringify(body));
    nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${streamName}.${name}`, data, { reply: this.inbox });
  }

  async until(cond: (got: Msg[]) => boolean, what: string): Promise<Msg[]> {
    await waitUntil(() => cond(this.got), 10_000, what);
    return this.got;
  }

  /** Waits for `n` messages (statuses included). */
  count(n: number): Promise<Msg[]> {
    return this.until((g) => g.length >= n, `${n} messages`);
  }

  close(): void {
    this.sub.unsubscribe();
  }
}

function statusOf(m: Msg): string {
  const h = m.headers;
  if (h === undefined || h.code === 0) return "message";
  return `${h.code} ${h.description}`.trim();
}

const isStatus = (m: Msg) => statusOf(m) !== "message";

describe("the nats client", () => {
  beforeAll(async () => {
    await stream("CL");
    await fill("cl", 10);
  });

  it("fetch, next and consume deliver in order, with the pending count in the ack subject", async () => {
    await consumer("CL", "C");
    const js = nc.jetstream();
    const c = await js.consumers.get("CL", "C");
    const seen: number[] = [];
    const batch = await c.fetch({ max_messages: 4, expires: 2000 });
    for await (const m of batch) {
      seen.push(m.seq);
      expect(m.info.pending).toBe(10 - m.seq);
      expect(m.subject).toBe(`cl.${m.seq}`);
      expect(m.reply.split(".")).toHaveLength(9);
      m.ack();
    }
    const one = await c.next({ expires: 2000 });
    seen.push(one!.seq);
    await one!.ackAck();
    const it = await c.consume({ max_messages: 3 });
    for await (const m of it) {
      seen.push(m.seq);
      await m.ackAck();
      if (m.seq === 10) break;
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const i = await info("CL", "C");
    expect(i.delivered).toMatchObject({ consumer_seq: 10, stream_seq: 10 });
    expect(i.ack_floor).toMatchObject({ consumer_seq: 10, stream_seq: 10 });
    expect(i.num_ack_pending).toBe(0);
    expect(i.num_pending).toBe(0);
  });

  it("an ordered consumer reads the whole stream", async () => {
    const c = await nc.jetstream().consumers.get("CL");
    const seqs: number[] = [];
    const it = await c.fetch({ max_messages: 10, expires: 2000 });
    for await (const m of it) seqs.push(m.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("a consumer waits for messages published after the pull", async () => {
    await consumer("CL", "LATE", { deliver_policy: "new" });
    const c = await nc.jetstream().consumers.get("CL", "LATE");
    const next = c.next({ expires: 5000 });
    await waitUntil(async () => (await info("CL", "LATE")).num_waiting === 1, 10_000, "request parked");
    await publish(nc, "cl.late", "hello");
    const m = await next;
    expect(m?.string()).toBe("hello");
    m?.ack();
  });
});

describe("MSG.NEXT statuses", () => {
  beforeAll(async () => {
    await stream("ST");
    await fill("st", 2);
  });

  it("no_wait with nothing: 404; a partial no_wait batch ends with 408 and the pending counts", async () => {
    await consumer("ST", "NW");
    const p = new Puller();
    p.request("ST", "NW", { batch: 3, no_wait: true });
    const got = await p.count(3);
    expect(got.slice(0, 2).map((m) => m.subject)).toEqual(["st.1", "st.2"]);
    expect(statusOf(got[2])).toBe("408 Request Timeout");
    expect(got[2].headers?.get("Nats-Pending-Messages")).toBe("1");
    expect(got[2].headers?.get("Nats-Pending-Bytes")).toBe("0");
    p.request("ST", "NW", { batch: 1, no_wait: true });
    expect(statusOf((await p.count(4))[3])).toBe("404 No Messages");
    // A batch of 0 counts as 1.
    p.request("ST", "NW", { batch: 0, no_wait: true });
    expect(statusOf((await p.count(5))[4])).toBe("404 No Messages");
    p.close();
  });

  it("expires: 408 with what was left of the request", async () => {
    await consumer("ST", "EX", { deliver_policy: "new" });
    const p = new Puller();
    p.request("ST", "EX", { batch: 5, expires: 100_000_000, max_bytes: 1000 });
    const [m] = await p.count(1);
    expect(statusOf(m)).toBe("408 Request Timeout");
    expect(m.headers?.get("Nats-Pending-Messages")).toBe("5");
    expect(m.headers?.get("Nats-Pending-Bytes")).toBe("1000");
    // Below a millisecond it expires at once.
    p.request("ST", "EX", { batch: 1, expires: 1000 });
    expect(statusOf((await p.count(2))[1])).toBe("408 Request Timeout");
    p.close();
  });

  it("max_bytes: 409 when the next message does not fit, counting subject, reply, headers and payload", async () => {
    await consumer("ST", "MB");
    const p = new Puller();
    p.request("ST", "MB", { batch: 5, max_bytes: 60 });
    const got = await p.count(2);
    expect(got[0].subject).toBe("st.1");
    expect(statusOf(got[1])).toBe("409 Message Size Exceeds MaxBytes");
    expect(got[1].headers?.get("Nats-Pending-Messages")).toBe("4");
    const used = "st.1".length + got[0].reply!.length + got[0].data.length;
    expect(got[1].headers?.get("Nats-Pending-Bytes")).toBe(String(60 - used));
    p.close();
  });

  it("the consumer's request limits: 409 Exceeded MaxRequestBatch / MaxRequestExpires / MaxRequestMaxBytes / MaxWaiting", async () => {
    await consumer("ST", "LIM", { deliver_policy: "new", max_batch: 2, max_expires: 2_000_000_000, max_bytes: 100, max_waiting: 1 });
    const p = new Puller();
    p.request("ST", "LIM", { batch: 3 });
    p.request("ST", "LIM", { batch: 1, expires: 3_000_000_000 });
    p.request("ST", "LIM", { batch: 1, expires: 1_000_000_000, max_bytes: 200 });
    const got = await p.count(3);
    expect(got.map(statusOf)).toEqual(["409 Exceeded MaxRequestBatch of 2", "409 Exceeded MaxRequestExpires of 2s", "409 Exceeded MaxRequestMaxBytes of 100"]);
    p.request("ST", "LIM", { batch: 1, expires: 1_500_000_000 });
    await waitUntil(async () => (await info("ST", "LIM")).num_waiting === 1, 10_000, "one waiting");
    p.request("ST", "LIM", { batch: 1, expires: 1_500_000_000 });
    expect(statusOf((await p.count(4))[3])).toBe("409 Exceeded MaxWaiting");
    p.close();
  });

  it("bad requests: 400 for bad JSON and for a heartbeat too large for the expiry", async () => {
    await consumer("ST", "BAD");
    const p = new Puller();
    p.request("ST", "BAD", "{x");
    p.request("ST", "BAD", { batch: 1, idle_heartbeat: 1_000_000_000 });
    p.request("ST", "BAD", { batch: 1, expires: 1_000_000_000, idle_heartbeat: 800_000_000 });
    const got = await p.count(3);
    expect(statusOf(got[0])).toMatch(/^400 Bad Request - /);
    expect(statusOf(got[1])).toBe("400 Bad Request - heartbeat value too large");
    expect(statusOf(got[2])).toBe("400 Bad Request - heartbeat value too large");
    // The consumer still serves.
    p.request("ST", "BAD", { batch: 1 });
    expect((await p.count(4))[3].subject).toBe("st.1");
    p.close();
  });

  it("idle heartbeats while waiting, then 408 at expiry", async () => {
    await consumer("ST", "HB", { deliver_policy: "new" });
    const p = new Puller();
    p.request("ST", "HB", { batch: 1, expires: 600_000_000, idle_heartbeat: 100_000_000 });
    const got = await p.until((g) => g.some((m) => statusOf(m).startsWith("408")), "expiry");
    const hbs = got.filter((m) => statusOf(m) === "100 Idle Heartbeat");
    expect(hbs.length).toBeGreaterThanOrEqual(2);
    expect(hbs[0].headers?.get("Nats-Last-Consumer")).toBe("0");
    expect(hbs[0].headers?.get("Nats-Last-Stream")).toBe("2");
    p.close();
  });

  it("pulling from a push consumer: 409 Consumer is push based", async () => {
    await consumer("ST", "PUSH", { deliver_subject: "deliver.push" });
    const p = new Puller();
    p.request("ST", "PUSH", { batch: 1 });
    expect(statusOf((await p.count(1))[0])).toBe("409 Consumer is push based");
    p.close();
  });

  it("deleting the consumer tells waiting requests: 409 Consumer Deleted", async () => {
    await consumer("ST", "DEL", { deliver_policy: "new" });
    const p = new Puller();
    p.request("ST", "DEL", { batch: 1, expires: 10_000_000_000 });
    await waitUntil(async () => (await info("ST", "DEL")).num_waiting === 1, 10_000, "waiting");
    expect((await api(nc, "CONSUMER.DELETE.ST.DEL")).success).toBe(true);
    expect(statusOf((await p.count(1))[0])).toBe("409 Consumer Deleted");
    p.close();
  });

  it("the old plain-number form and an empty body ask for one message", async () => {
    await consumer("ST", "OLD");
    const p = new Puller();
    p.request("ST", "OLD", "2");
    await p.count(2);
    p.request("ST", "OLD", undefined);
    await p.count(1);
    expect(p.got.filter((m) => !isStatus(m)).map((m) => m.subject)).toEqual(["st.1", "st.2"]);
    p.close();
  });
});

/** Pulls one message through the client with a generous expiry; undefined when none came. */
async function next(streamName: string, name: string, expires = 5000): Promise<JsMsg | null> {
  const c = await nc.jetstream().consumers.get(streamName, name);
  return c.next({ expires });
}

describe("acks", () => {
  beforeAll(async () => {
    await stream("AK");
    await fill("ak", 4);
  });

  it("an ack with a reply gets an empty answer, whatever it says", async () => {
    await consumer("AK", "RPLY");
    const m = await next("AK", "RPLY");
    for (const body of ["+ACK", "+ACK", "", "nonsense", "+WPI"]) {
      const r = await nc.request(m!.reply!, enc(body), { timeout: 5000 });
      expect(r.data.length).toBe(0);
      expect(r.headers).toBeUndefined();
    }
  });

  it("-NAK redelivers at once, before new messages, with delivered count 2", async () => {
    await consumer("AK", "NAK");
    const first = await next("AK", "NAK");
    first!.nak();
    const again = await next("AK", "NAK");
    expect(again!.seq).toBe(first!.seq);
    expect(again!.info.deliveryCount).toBe(2);
    expect(again!.info.redelivered).toBe(true);
    expect(again!.reply!.split(".")[4]).toBe("2");
    const i = await info("AK", "NAK");
    expect(i.num_redelivered).toBe(1);
    expect(i.delivered.consumer_seq).toBe(2);
    // num_redelivered counts redelivered messages not yet acknowledged.
    await again!.ackAck();
    expect((await info("AK", "NAK")).num_redelivered).toBe(0);
  });

  it("-NAK with a delay holds the redelivery back", async () => {
    await consumer("AK", "NAKD", { max_ack_pending: 1 });
    const first = await next("AK", "NAKD");
    first!.nak(60_000);
    // Nothing is due: max_ack_pending 1 is taken by the delayed message, so a no_wait pull gets nothing.
    const p = new Puller();
    p.request("AK", "NAKD", { batch: 1, no_wait: true, expires: 50_000_000 });
    expect(statusOf((await p.count(1))[0])).toMatch(/^408|^404/);
    p.close();
    await consumer("AK", "NAKS", { filter_subject: "ak.1" });
    const m = await next("AK", "NAKS");
    m!.nak(150);
    const back = await next("AK", "NAKS");
    expect(back!.seq).toBe(1);
    expect(back!.info.deliveryCount).toBe(2);
  });

  it("+TERM stops redelivery and is advised", async () => {
    const adv = nc.subscribe("$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.AK.TERM", { max: 1 });
    await consumer("AK", "TERM", { ack_wait: 100_000_000 });
    const m = await next("AK", "TERM");
    m!.term();
    for await (const a of adv) {
      expect(a.json<Record<string, unknown>>()).toMatchObject({ type: "io.nats.jetstream.advisory.v1.terminated", stream: "AK", consumer: "TERM", stream_seq: 1, consumer_seq: 1, deliveries: 1 });
    }
    const after = await next("AK", "TERM");
    expect(after!.seq).toBe(2);
    await after!.ackAck();
    expect((await info("AK", "TERM")).num_redelivered).toBe(0);
  });

  it("+NXT acks and sends the next message to the ack's reply", async () => {
    await consumer("AK", "NXT");
    const m = await next("AK", "NXT");
    // The next message shows its own subject, so it needs a subscription of its own (not a request mux).
    const p = new Puller();
    nc.publish(m!.reply!, enc("+NXT"), { reply: p.inbox });
    const [r] = await p.count(1);
    expect(r.subject).toBe("ak.2");
    nc.publish(r.reply!, enc('+NXT {"batch":1}'), { reply: p.inbox });
    expect((await p.count(2))[1].subject).toBe("ak.3");
    p.close();
    const i = await info("AK", "NXT");
    expect(i.ack_floor.stream_seq).toBe(2);
    expect(i.num_ack_pending).toBe(1);
  });

  it("unacknowledged messages come back after ack_wait", async () => {
    await consumer("AK", "WAIT", { ack_wait: 200_000_000, filter_subject: "ak.1" });
    const m = await next("AK", "WAIT");
    expect(m!.info.deliveryCount).toBe(1);
    const again = await next("AK", "WAIT");
    expect(again!.seq).toBe(1);
    expect(again!.info.deliveryCount).toBe(2);
    await again!.ackAck();
  });

  it("+WPI restarts the ack timer", async () => {
    await consumer("AK", "WPI", { ack_wait: 400_000_000 });
    const m = await next("AK", "WPI");
    const p = new Puller();
    // Keep it in progress; while that goes on, the message is not redelivered: the next one is.
    m!.working();
    p.request("AK", "WPI", { batch: 1, expires: 2_000_000_000 });
    const [n] = await p.count(1);
    expect(n.subject).toBe("ak.2");
    await m!.ackAck();
    p.close();
  });

  it("max_deliver: the message stops coming, is advised, and does not move the ack floor", async () => {
    const adv = nc.subscribe("$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.AK.MAXD", { max: 1 });
    await consumer("AK", "MAXD", { ack_wait: 100_000_000, max_deliver: 2, filter_subject: "ak.1" });
    expect((await next("AK", "MAXD"))!.info.deliveryCount).toBe(1);
    expect((await next("AK", "MAXD"))!.info.deliveryCount).toBe(2);
    // nats-server notices on the next delivery attempt after ack_wait.
    const p = new Puller();
    p.request("AK", "MAXD", { batch: 1, expires: 1_000_000_000 });
    for await (const a of adv) {
      expect(a.json<Record<string, unknown>>()).toMatchObject({ type: "io.nats.jetstream.advisory.v1.max_deliver", stream: "AK", consumer: "MAXD", stream_seq: 1, deliveries: 2 });
    }
    await p.until((g) => g.some((m) => statusOf(m).startsWith("408")), "request expiry");
    expect(p.got.filter((m) => !isStatus(m))).toHaveLength(0);
    p.close();
    const i = await info("AK", "MAXD");
    expect(i.num_ack_pending).toBe(0);
    expect(i.num_redelivered).toBe(1);
    expect(i.ack_floor.stream_seq).toBe(0);
  });

  it("ack all: acknowledging one message acknowledges those before it", async () => {
    await consumer("AK", "ALL", { ack_policy: "all" });
    const c = await nc.jetstream().consumers.get("AK", "ALL");
    const msgs: JsMsg[] = [];
    for await (const m of await c.fetch({ max_messages: 4, expires: 2000 })) msgs.push(m);
    await msgs[2].ackAck();
    const i = await info("AK", "ALL");
    expect(i.ack_floor).toMatchObject({ consumer_seq: 3, stream_seq: 3 });
    expect(i.num_ack_pending).toBe(1);
  });

  it("ack none: the ack floor follows deliveries", async () => {
    await consumer("AK", "NONE", { ack_policy: "none" });
    const c = await nc.jetstream().consumers.get("AK", "NONE");
    for await (const _ of await c.fetch({ max_messages: 3, expires: 2000 })) {
      // no acks
    }
    const i = await info("AK", "NONE");
    expect(i.ack_floor).toMatchObject({ consumer_seq: 3, stream_seq: 3 });
    expect(i.num_ack_pending).toBe(0);
  });

  it("max_ack_pending holds deliveries until acks come", async () => {
    await consumer("AK", "MAP", { max_ack_pending: 2 });
    const p = new Puller();
    p.request("AK", "MAP", { batch: 4, expires: 5_000_000_000 });
    const got = await p.count(2);
    expect((await info("AK", "MAP")).num_ack_pending).toBe(2);
    got[0].respond(enc("+ACK"));
    await p.count(3);
    expect(p.got[2].subject).toBe("ak.3");
    p.close();
  });

  it("acks for unknown consumers or with a malformed subject are ignored", async () => {
    await nc.request("$JS.ACK.AK.NOPE.1.1.1.1.0", enc("+ACK"), { timeout: 300 }).catch(() => undefined);
    nc.publish("$JS.ACK.AK.MAP.x", enc("+ACK"));
    nc.publish("$JS.ACK.AK", enc("+ACK"));
    expect((await info("AK", "MAP")).num_ack_pending).toBeGreaterThan(0);
  });
});

describe("a backlog", () => {
  it("200 messages in batches of 50 with acks; the stream info and consumer agree", async () => {
    await stream("BIG");
    const js = nc.jetstream();
    await Promise.all(Array.from({ length: 200 }, (_, i) => js.publish(`big.${i % 7}`, enc(`v${i}`))));
    await consumer("BIG", "B");
    const c = await js.consumers.get("BIG", "B");
    let n = 0;
    while (n < 200) {
      for await (const m of await c.fetch({ max_messages: 50, expires: 2000 })) {
        n++;
        m.ack();
      }
    }
    await waitUntil(async () => (await info("BIG", "B")).num_ack_pending === 0, 10_000, "all acked");
    const i = await info("BIG", "B");
    expect(i.ack_floor.stream_seq).toBe(200);
    expect(i.num_pending).toBe(0);
  });
});

describe("across a restart", () => {
  it("a durable keeps delivered, acked and pending state", async () => {
    await stream("RS");
    await fill("rs", 6);
    await consumer("RS", "D", { ack_wait: 300_000_000 });
    const c = await nc.jetstream().consumers.get("RS", "D");
    const msgs: JsMsg[] = [];
    for await (const m of await c.fetch({ max_messages: 4, expires: 2000 })) msgs.push(m);
    await msgs[0].ackAck();
    await msgs[1].ackAck();
    const before = await info("RS", "D");
    expect(before.num_ack_pending).toBe(2);

    await nc.close();
    await srv.close();
    srv = await startConfigured(config);
    nc = await connect({ servers: srv.url });

    const after = await info("RS", "D");
    expect(after.delivered).toMatchObject({ consumer_seq: 4, stream_seq: 4 });
    expect(after.ack_floor).toMatchObject({ consumer_seq: 2, stream_seq: 2 });
    expect(after.num_ack_pending).toBe(2);
    expect(after.num_pending).toBe(2);
    // The two pending come back first (after ack_wait), then the rest.
    const seqs: number[] = [];
    const c2 = await nc.jetstream().consumers.get("RS", "D");
    while (seqs.length < 4) {
      for await (const m of await c2.fetch({ max_messages: 4 - seqs.length, expires: 2000 })) {
        seqs.push(m.seq);
        await m.ackAck();
      }
    }
    expect(seqs.sort()).toEqual([3, 4, 5, 6]);
    const done = await info("RS", "D");
    expect(done.ack_floor.stream_seq).toBe(6);
    expect(done.num_ack_pending).toBe(0);
  });

  it("pending messages with gaps and a redelivery keep their sequences, and acks sent after the restart settle them", async () => {
    await stream("RG");
    await fill("rg", 12);
    await consumer("RG", "G", { ack_wait: 300_000_000 });
    const c = await nc.jetstream().consumers.get("RG", "G");
    const msgs: JsMsg[] = [];
    for await (const m of await c.fetch({ max_messages: 10, expires: 2000 })) msgs.push(m);
    expect(msgs.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await msgs[2].ackAck();
    await msgs[6].ackAck();
    msgs[4].nak();
    const again: JsMsg[] = [];
    for await (const m of await c.fetch({ max_messages: 1, expires: 2000 })) again.push(m);
    expect(again.map((m) => [m.seq, m.info.redeliveryCount])).toEqual([[5, 2]]);
    const before = await info("RG", "G");
    expect(before.num_ack_pending).toBe(8);
    expect(before.num_redelivered).toBe(1);

    await nc.close();
    await srv.close();
    srv = await startConfigured(config);
    nc = await connect({ servers: srv.url });

    const after = await info("RG", "G");
    for (const k of ["delivered", "ack_floor"]) expect([after[k].consumer_seq, after[k].stream_seq]).toEqual([before[k].consumer_seq, before[k].stream_seq]);
    for (const k of ["num_ack_pending", "num_redelivered", "num_pending"]) expect(after[k]).toBe(before[k]);
    // The ack subjects delivered before the restart still name the pending messages (the redelivery by its
    // newest delivery): acking all of them moves the floor to the last consumer sequence.
    for (const m of [...msgs.filter((m) => m.seq !== 3 && m.seq !== 7 && m.seq !== 5), again[0]]) {
      await nc.request(m.reply, new Uint8Array(0), { timeout: 2000 });
    }
    const done = await info("RG", "G");
    expect(done.num_ack_pending).toBe(0);
    expect(done.num_redelivered).toBe(0);
    expect(done.ack_floor).toMatchObject({ consumer_seq: 11, stream_seq: 10 });
  });
});

describe("ephemeral pull consumers from the client", () => {
  it("are created with an 8-character name and consume", async () => {
    await stream("EP");
    await fill("ep", 3);
    const jsm = await nc.jetstreamManager();
    const ci = await jsm.consumers.add("EP", { ack_policy: AckPolicy.Explicit, inactive_threshold: 2_000_000_000 });
    expect(ci.name).toMatch(/^[A-Za-z0-9]{8}$/);
    const c = await nc.jetstream().consumers.get("EP", ci.name);
    const seqs: number[] = [];
    for await (const m of await c.fetch({ max_messages: 3, expires: 2000 })) {
      seqs.push(m.seq);
      m.ack();
    }
    expect(seqs).toEqual([1, 2, 3]);
  });
});

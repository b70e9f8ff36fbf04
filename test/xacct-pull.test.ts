import { type JsMsg, type Msg, type NatsConnection, createInbox } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, publish } from "./helpers/jetstream.js";
import { waitUntil } from "./helpers/wait.js";
import { LAYOUTS, PREFIX, startXacct, stopXacct, type XacctServer, xacctConfig } from "./helpers/xacct.js";

/**
 * Recipe: pull consumption across accounts. JSA exports MSG.NEXT of its durable C (response_type stream),
 * CONSUMER.INFO of C, and C's acks; U imports them under the JS prefix (acks under their own name) and
 * consumes with `nc.jetstream({ apiPrefix })`. A second durable, C1, has MSG.NEXT exported as a singleton.
 */
const CONFIG = () =>
  xacctConfig(
    [
      `{ service: "$JS.API.CONSUMER.MSG.NEXT.S.C", response_type: stream }`,
      `{ service: "$JS.API.CONSUMER.INFO.S.C" }`,
      `{ service: "$JS.ACK.S.C.>" }`,
      `{ service: "$JS.API.CONSUMER.MSG.NEXT.S.C1" }`,
      `{ service: "$JS.API.CONSUMER.INFO.S.C1" }`,
      `{ service: "$JS.ACK.S.C1.>" }`,
    ],
    [
      `{ service: { account: JSA, subject: "$JS.API.CONSUMER.MSG.NEXT.S.C" }, to: "${PREFIX}.CONSUMER.MSG.NEXT.S.C" }`,
      `{ service: { account: JSA, subject: "$JS.API.CONSUMER.INFO.S.C" }, to: "${PREFIX}.CONSUMER.INFO.S.C" }`,
      `{ service: { account: JSA, subject: "$JS.ACK.S.C.>" } }`,
      `{ service: { account: JSA, subject: "$JS.API.CONSUMER.MSG.NEXT.S.C1" }, to: "${PREFIX}.CONSUMER.MSG.NEXT.S.C1" }`,
      `{ service: { account: JSA, subject: "$JS.API.CONSUMER.INFO.S.C1" }, to: "${PREFIX}.CONSUMER.INFO.S.C1" }`,
      `{ service: { account: JSA, subject: "$JS.ACK.S.C1.>" } }`,
    ],
  );

for (const layout of LAYOUTS) {
  describe(`pull consumers across accounts (${layout.name})`, () => {
    let x: XacctServer | undefined;
    let jsa: NatsConnection;
    let u: NatsConnection;

    beforeAll(async () => {
      x = await startXacct(CONFIG(), layout, true);
      ({ jsa, u } = x);
    });
    afterAll(() => stopXacct(x));

    /** (Re)creates durable `name` on S, fresh, with `cfg`. */
    async function durable(name: string, cfg: Record<string, unknown> = {}): Promise<void> {
      await api(jsa, `CONSUMER.DELETE.S.${name}`);
      const r = await api(jsa, `CONSUMER.DURABLE.CREATE.S.${name}`, { stream_name: "S", config: { durable_name: name, ack_policy: "explicit", ...cfg } });
      expect(r.error, JSON.stringify(r.error)).toBeUndefined();
    }

    async function infoInJsa(name: string): Promise<Record<string, any>> {
      return api(jsa, `CONSUMER.INFO.S.${name}`);
    }

    async function fill(n: number): Promise<void> {
      await api(jsa, "STREAM.PURGE.S");
      for (let i = 1; i <= n; i++) await publish(jsa, `orders.${i}`, `o${i}`);
    }

    it("fetch through the prefix: stream subjects, acks honored in JSA", async () => {
      await fill(10);
      await durable("C", { deliver_policy: "all" });
      const c = await u.jetstream({ apiPrefix: PREFIX }).consumers.get("S", "C");
      const got: JsMsg[] = [];
      for await (const m of await c.fetch({ max_messages: 10, expires: 2000 })) got.push(m);
      expect(got.map((m) => m.subject)).toEqual(Array.from({ length: 10 }, (_, i) => `orders.${i + 1}`));
      expect(got.map((m) => m.string())).toEqual(Array.from({ length: 10 }, (_, i) => `o${i + 1}`));
      for (const m of got) expect(await m.ackAck()).toBe(true);
      const i = await infoInJsa("C");
      expect(i.ack_floor.stream_seq).toBe(got[9].seq);
      expect(i.num_ack_pending).toBe(0);
    });

    it("consume() and next() through the prefix", async () => {
      await fill(12);
      await durable("C");
      const c = await u.jetstream({ apiPrefix: PREFIX }).consumers.get("S", "C");
      const first = await c.next({ expires: 2000 });
      expect(first?.info.streamSequence).toBeGreaterThan(0);
      first!.ack();
      const seen = [first!.seq];
      const it = await c.consume({ max_messages: 5 });
      for await (const m of it) {
        seen.push(m.seq);
        m.ack();
        if (seen.length === 12) break;
      }
      expect(seen).toEqual(Array.from({ length: 12 }, (_, k) => seen[0] + k));
      await waitUntil(async () => (await infoInJsa("C")).num_ack_pending === 0, 10_000, "acks seen in JSA");
      expect((await infoInJsa("C")).ack_floor.stream_seq).toBe(seen[11]);
    });

    it("the older js.fetch() and pullSubscribe() through the prefix", async () => {
      await fill(6);
      await durable("C");
      const js = u.jetstream({ apiPrefix: PREFIX });
      const seqs: number[] = [];
      for await (const m of js.fetch("S", "C", { batch: 3, expires: 2000 })) {
        seqs.push(m.seq);
        m.ack();
      }
      const sub = await js.pullSubscribe("orders.>", { config: { durable_name: "C" }, stream: "S" } as never);
      sub.pull({ batch: 3, expires: 2000 });
      for await (const m of sub) {
        seqs.push(m.seq);
        m.ack();
        if (seqs.length === 6) break;
      }
      expect(seqs).toEqual(Array.from({ length: 6 }, (_, k) => seqs[0] + k));
      await waitUntil(async () => (await infoInJsa("C")).num_ack_pending === 0, 10_000, "acks");
    });

    it("an unacknowledged message comes back with its delivery count", async () => {
      await fill(1);
      await durable("C", { ack_wait: 300_000_000 });
      const c = await u.jetstream({ apiPrefix: PREFIX }).consumers.get("S", "C");
      const m1 = await c.next({ expires: 2000 });
      expect(m1?.info.deliveryCount).toBe(1);
      const m2 = await c.next({ expires: 5000 });
      expect(m2?.seq).toBe(m1?.seq);
      expect(m2?.info.deliveryCount).toBe(2);
      expect(m2?.info.redelivered).toBe(true);
      await m2!.ackAck();
      expect((await infoInJsa("C")).num_redelivered).toBe(0);
    });

    /** A raw pull from U: MSG.NEXT through the prefix, to a subscription of its own. */
    async function rawPull(name: string, body: unknown, until: (got: Msg[]) => boolean): Promise<Msg[]> {
      const inbox = createInbox();
      const got: Msg[] = [];
      const sub = u.subscribe(inbox, { callback: (_e, m) => got.push(m) });
      u.publish(`${PREFIX}.CONSUMER.MSG.NEXT.S.${name}`, JSON.stringify(body), { reply: inbox });
      await waitUntil(() => until(got), 10_000, "pull answers");
      sub.unsubscribe();
      return got;
    }

    const status = (m: Msg) => (m.headers?.code ? `${m.headers.code} ${m.headers.description}`.trim() : "message");

    it("status messages reach U: 404, 408 with pending counts, heartbeats", async () => {
      await fill(0);
      await durable("C");
      const nowait = await rawPull("C", { batch: 1, no_wait: true }, (g) => g.length >= 1);
      expect(status(nowait[0])).toBe("404 No Messages");
      const expiry = await rawPull("C", { batch: 4, expires: 600_000_000, idle_heartbeat: 100_000_000 }, (g) => g.some((m) => status(m).startsWith("408")));
      expect(expiry.some((m) => status(m) === "100 Idle Heartbeat")).toBe(true);
      const t = expiry.find((m) => status(m).startsWith("408"))!;
      expect(status(t)).toBe("408 Request Timeout");
      expect(t.headers?.get("Nats-Pending-Messages")).toBe("4");
    });

    it("a batch crosses whole with response_type stream", async () => {
      await fill(5);
      await durable("C");
      const got = await rawPull("C", { batch: 5, expires: 2_000_000_000 }, (g) => g.length >= 5);
      expect(got.map((m) => m.subject)).toEqual(["orders.1", "orders.2", "orders.3", "orders.4", "orders.5"]);
      const last = ((await api(jsa, "STREAM.INFO.S")).state as { last_seq: number }).last_seq;
      expect((await infoInJsa("C")).delivered.stream_seq).toBe(last);
      expect(got[4].reply?.split(".")[5]).toBe(String(last));
    });

    it("with MSG.NEXT exported as a singleton only the first message of a batch crosses; the rest come back after ack_wait", async () => {
      await fill(3);
      await durable("C1", { ack_wait: 400_000_000 });
      const inbox = createInbox();
      const got: Msg[] = [];
      const sub = u.subscribe(inbox, { callback: (_e, m) => got.push(m) });
      u.publish(`${PREFIX}.CONSUMER.MSG.NEXT.S.C1`, JSON.stringify({ batch: 3, expires: 1_000_000_000 }), { reply: inbox });
      await waitUntil(async () => (await infoInJsa("C1")).delivered.consumer_seq === 3, 10_000, "three delivered in JSA");
      await u.flush();
      expect(got).toHaveLength(1);
      expect((await infoInJsa("C1")).num_ack_pending).toBe(3);
      sub.unsubscribe();
      // What did not cross is redelivered later, to a new request.
      const c = await u.jetstream({ apiPrefix: PREFIX }).consumers.get("S", "C1");
      const again = await c.next({ expires: 5000 });
      expect(again?.info.deliveryCount).toBe(2);
    });

    it("anything not exported under the prefix gets no responders (503)", async () => {
      await expect(u.request(`${PREFIX}.STREAM.INFO.S`, "", { timeout: 2000 })).rejects.toMatchObject({ code: "503" });
      await expect(u.request(`${PREFIX}.CONSUMER.INFO.S.OTHER`, "", { timeout: 2000 })).rejects.toMatchObject({ code: "503" });
      // U has no JetStream of its own, and JSA's API is not U's.
      const own = await u.request("$JS.API.INFO", "", { timeout: 2000 }).then(
        (m) => m.json<Record<string, any>>(),
        (e: { code: string }) => e.code,
      );
      expect(own === "503" || (own as Record<string, any>).error?.err_code === 10039).toBe(true);
    });
  });
}

import { type Msg, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, publish } from "./helpers/jetstream.js";
import { waitUntil } from "./helpers/wait.js";
import { LAYOUTS, startXacct, stopXacct, type XacctServer, xacctConfig } from "./helpers/xacct.js";

/**
 * Recipe: push consumption across accounts. JSA's push consumers deliver to `deliver.U.<name>`, which JSA
 * exports as a stream (U imports it, once under its own name and once remapped with `to`); acks and flow
 * control replies are services JSA exports and U imports under the same names.
 */
const CONFIG = () =>
  xacctConfig(
    [`{ stream: "deliver.U.>" }`, `{ service: "$JS.ACK.S.>" }`, `{ service: "$JS.FC.S.>" }`],
    [
      `{ stream: { account: JSA, subject: "deliver.U.>" } }`,
      `{ stream: { account: JSA, subject: "deliver.U.mapped" }, to: "mine.mapped" }`,
      `{ service: { account: JSA, subject: "$JS.ACK.S.>" } }`,
      `{ service: { account: JSA, subject: "$JS.FC.S.>" } }`,
    ],
  );

for (const layout of LAYOUTS) {
  describe(`push consumers across accounts (${layout.name})`, () => {
    let x: XacctServer | undefined;
    let jsa: NatsConnection;
    let u: NatsConnection;

    beforeAll(async () => {
      x = await startXacct(CONFIG(), layout, true);
      ({ jsa, u } = x);
    });
    afterAll(() => stopXacct(x));

    async function push(name: string, cfg: Record<string, unknown> = {}): Promise<Record<string, any>> {
      const r = await api(jsa, `CONSUMER.DURABLE.CREATE.S.${name}`, {
        stream_name: "S",
        config: { durable_name: name, ack_policy: "explicit", deliver_subject: `deliver.U.${name}`, deliver_policy: "new", ...cfg },
      });
      expect(r.error, JSON.stringify(r.error)).toBeUndefined();
      return r;
    }

    const info = (name: string) => api(jsa, `CONSUMER.INFO.S.${name}`) as Promise<Record<string, any>>;

    function collect(nc: NatsConnection, subject: string): { msgs: Msg[]; stop(): void } {
      const msgs: Msg[] = [];
      const sub = nc.subscribe(subject, { callback: (_e, m) => msgs.push(m) });
      return { msgs, stop: () => sub.unsubscribe() };
    }

    it("U receives with the stream subjects and acks; JSA sees the acks; push_bound follows U's interest", async () => {
      const created = await push("P1");
      // Interest in JSA comes from U's import only once U subscribes (nats-server: the import itself is not interest).
      const sub = collect(u, "deliver.U.P1");
      await u.flush();
      await waitUntil(async () => (await info("P1")).push_bound === true, 10_000, "push_bound");
      expect(created.config.deliver_subject).toBe("deliver.U.P1");
      for (let i = 1; i <= 5; i++) await publish(jsa, `orders.p1.${i}`, `v${i}`);
      await waitUntil(() => sub.msgs.length === 5, 10_000, "5 deliveries");
      expect(sub.msgs.map((m) => m.subject)).toEqual([1, 2, 3, 4, 5].map((i) => `orders.p1.${i}`));
      expect(sub.msgs.every((m) => m.reply?.startsWith("$JS.ACK.S.P1.1."))).toBe(true);
      for (const m of sub.msgs) {
        const r = await u.request(m.reply!, "+ACK", { timeout: 5000 });
        expect(r.data.length).toBe(0);
      }
      const i = await info("P1");
      expect(i.num_ack_pending).toBe(0);
      expect(i.ack_floor.consumer_seq).toBe(5);
      sub.stop();
      await u.flush();
      await waitUntil(async () => (await info("P1")).push_bound === undefined, 10_000, "push_bound gone");
    });

    it("a remapped deliver subject works the same", async () => {
      await push("mapped", { durable_name: "mapped", deliver_subject: "deliver.U.mapped" });
      const sub = collect(u, "mine.mapped");
      await u.flush();
      await waitUntil(async () => (await info("mapped")).push_bound === true, 10_000, "push_bound");
      await publish(jsa, "orders.mapped", "m");
      await waitUntil(() => sub.msgs.length === 1, 10_000, "delivery");
      expect(sub.msgs[0].subject).toBe("orders.mapped");
      sub.msgs[0].respond("+ACK");
      await waitUntil(async () => (await info("mapped")).num_ack_pending === 0, 10_000, "ack");
      sub.stop();
    });

    it("an unacknowledged delivery is redelivered to U", async () => {
      await push("P2", { ack_wait: 300_000_000 });
      const sub = collect(u, "deliver.U.P2");
      await u.flush();
      await waitUntil(async () => (await info("P2")).push_bound === true, 10_000, "push_bound");
      await publish(jsa, "orders.p2", "once");
      await waitUntil(() => sub.msgs.length === 2, 10_000, "redelivery");
      expect(sub.msgs[1].reply?.split(".")[4]).toBe("2");
      sub.msgs[1].respond("+ACK");
      await waitUntil(async () => (await info("P2")).num_ack_pending === 0, 10_000, "ack");
      sub.stop();
    });

    it.skipIf(layout.shards?.pin.U !== 1)("U's shard restarting re-registers U's interest once: push_bound holds, then follows the unsubscribe", async () => {
      await push("CR");
      const sub = collect(u, "deliver.U.CR");
      await u.flush();
      await waitUntil(async () => (await info("CR")).push_bound === true, 10_000, "push_bound");
      const router = x!.srv.tsnats!.server.router;
      const before = router.restarts;
      router.crashShard(1);
      await waitUntil(() => router.restarts > before, 10_000, "shard restart");
      await u.flush();
      await publish(jsa, "orders.cr", "after");
      await waitUntil(() => sub.msgs.length === 1, 10_000, "delivery after the restart");
      expect((await info("CR")).push_bound).toBe(true);
      sub.stop();
      await u.flush();
      await waitUntil(async () => (await info("CR")).push_bound === undefined, 10_000, "push_bound gone");
    });

    it("heartbeats and flow control cross the boundary: a 3 MiB backlog arrives whole when U answers", async () => {
      for (let i = 0; i < 96; i++) await publish(jsa, "orders.big", "x".repeat(32 * 1024));
      await push("FC", { deliver_policy: "all", filter_subject: "orders.big", flow_control: true, idle_heartbeat: 200_000_000, ack_policy: "none" });
      const data: Msg[] = [];
      let heartbeats = 0;
      let fcs = 0;
      const sub = u.subscribe("deliver.U.FC", {
        callback: (_e, m) => {
          const code = m.headers?.code ?? 0;
          if (code === 100 && m.reply) {
            fcs++;
            m.respond(); // the flow-control reply, through the $JS.FC import
          } else if (code === 100) heartbeats++;
          else data.push(m);
        },
      });
      await waitUntil(() => data.length === 96, 20_000, "96 messages");
      expect(fcs).toBeGreaterThan(0);
      await waitUntil(() => heartbeats > 0, 10_000, "a heartbeat");
      expect(data.every((m) => m.subject === "orders.big")).toBe(true);
      sub.unsubscribe();
    });
  });
}

import { AckPolicy, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./helpers/jetstream.js";
import { waitUntil } from "./helpers/wait.js";
import { LAYOUTS, PREFIX, startXacct, stopXacct, type XacctServer, xacctConfig } from "./helpers/xacct.js";

/**
 * Recipes: the whole JetStream API shared under a prefix (`$JS.API.>` with response_type stream, plus
 * `$JS.ACK.>`), and publishing into another account's stream through a service import. U has JetStream
 * of its own, which stays separate.
 */
const CONFIG = () =>
  xacctConfig(
    [`{ service: "$JS.API.>", response_type: stream }`, `{ service: "$JS.ACK.>" }`, `{ service: "orders.>" }`],
    [
      `{ service: { account: JSA, subject: "$JS.API.>" }, to: "${PREFIX}.>" }`,
      `{ service: { account: JSA, subject: "$JS.ACK.>" } }`,
      `{ service: { account: JSA, subject: "orders.>" }, to: "jsa.orders.>" }`,
    ],
    true,
  );

for (const layout of LAYOUTS) {
  describe(`the JetStream API under a prefix, and publishing across accounts (${layout.name})`, () => {
    let x: XacctServer | undefined;
    let jsa: NatsConnection;
    let u: NatsConnection;

    beforeAll(async () => {
      x = await startXacct(CONFIG(), layout, false);
      ({ jsa, u } = x);
    });
    afterAll(() => stopXacct(x));

    it("U manages JSA's streams and consumers through jetstreamManager({ apiPrefix }); its own JetStream stays apart", async () => {
      const remote = await u.jetstreamManager({ apiPrefix: PREFIX });
      const si = await remote.streams.add({ name: "S", subjects: ["orders.>"] });
      expect(si.config.name).toBe("S");
      // The stream is JSA's: JSA sees it, U's own JetStream does not.
      expect((await api(jsa, "STREAM.NAMES")).streams).toEqual(["S"]);
      const own = await u.jetstreamManager();
      expect(await own.streams.names().next()).toEqual([]);
      await own.streams.add({ name: "MINE", subjects: ["mine.>"] });
      expect((await api(jsa, "STREAM.NAMES")).streams).toEqual(["S"]);
      const names: string[] = [];
      for await (const s of remote.streams.list()) names.push(s.config.name);
      expect(names).toEqual(["S"]);
      // Consumers too.
      await remote.consumers.add("S", { durable_name: "C", ack_policy: AckPolicy.Explicit });
      expect((await api(jsa, "CONSUMER.NAMES.S")).consumers).toEqual(["C"]);
      const ai = await remote.getAccountInfo();
      expect(ai.streams).toBe(1);
    });

    it("publishing into JSA's stream through the import: PubAck, dedupe and expected-sequence errors come back", async () => {
      const js = u.jetstream({ apiPrefix: PREFIX });
      const a1 = await js.publish("jsa.orders.1", "one", { msgID: "m1" });
      expect(a1).toMatchObject({ stream: "S", seq: 1, duplicate: false });
      const dup = await js.publish("jsa.orders.1", "again", { msgID: "m1" });
      expect(dup).toMatchObject({ stream: "S", seq: 1, duplicate: true });
      await expect(js.publish("jsa.orders.2", "x", { expect: { lastSequence: 7 } })).rejects.toThrow(/wrong last sequence: 1/);
      const got = await api(jsa, "STREAM.MSG.GET.S", { seq: 1 });
      expect((got.message as { subject: string }).subject).toBe("orders.1");
      // The stream keeps the publisher's headers, not the Nats-Request-Info the import added (as nats-server).
      const hdrs = Buffer.from((got.message as { hdrs: string }).hdrs, "base64").toString();
      expect(hdrs).toContain("Nats-Msg-Id: m1\r\n");
      expect(hdrs).not.toContain("Nats-Request-Info");
      const plain = await js.publish("jsa.orders.3", "no headers");
      const stored = (await api(jsa, "STREAM.MSG.GET.S", { seq: plain.seq })).message as { hdrs?: string };
      expect(stored.hdrs).toBeUndefined();
    });

    it("U consumes what it published, with acks honored in JSA", async () => {
      const c = await u.jetstream({ apiPrefix: PREFIX }).consumers.get("S", "C");
      const m = await c.next({ expires: 2000 });
      expect(m?.subject).toBe("orders.1");
      expect(await m!.ackAck()).toBe(true);
      await waitUntil(async () => ((await api(jsa, "CONSUMER.INFO.S.C")).num_ack_pending as number) === 0, 10_000, "ack");
    });

    it("API errors come back with their codes", async () => {
      const r = await u.request(`${PREFIX}.STREAM.INFO.NOPE`, "", { timeout: 2000 });
      expect(r.json<Record<string, any>>().error).toEqual({ code: 404, err_code: 10059, description: "stream not found" });
    });
  });
}

import { type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, publish } from "./helpers/jetstream.js";
import { waitUntil } from "./helpers/wait.js";
import { LAYOUTS, PREFIX, startXacct, stopXacct, type XacctServer, xacctConfig } from "./helpers/xacct.js";

/**
 * Recipe: sources and mirrors across accounts. JSA exports consumer creation on its stream S (plain and
 * for one filter), its deliver subjects as a stream, and flow-control replies; U's streams name S with
 * `external: { api: P, deliver: "deliver.U" }`.
 */
const CONFIG = () =>
  xacctConfig(
    [
      `{ service: "$JS.API.CONSUMER.CREATE.S" }`,
      `{ service: "$JS.API.CONSUMER.CREATE.S.*.orders.keep" }`,
      `{ stream: "deliver.U.>" }`,
      `{ service: "$JS.FC.S.>" }`,
    ],
    [
      `{ service: { account: JSA, subject: "$JS.API.CONSUMER.CREATE.S" }, to: "${PREFIX}.CONSUMER.CREATE.S" }`,
      `{ service: { account: JSA, subject: "$JS.API.CONSUMER.CREATE.S.*.orders.keep" }, to: "${PREFIX}.CONSUMER.CREATE.S.*.orders.keep" }`,
      `{ stream: { account: JSA, subject: "deliver.U.>" } }`,
      `{ service: { account: JSA, subject: "$JS.FC.S.>" } }`,
    ],
    true,
  );

const EXTERNAL = { api: PREFIX, deliver: "deliver.U" };

for (const layout of LAYOUTS) {
  describe(`sources and mirrors across accounts (${layout.name})`, () => {
    let x: XacctServer | undefined;
    let jsa: NatsConnection;
    let u: NatsConnection;

    beforeAll(async () => {
      x = await startXacct(CONFIG(), layout, true);
      ({ jsa, u } = x);
      for (let i = 1; i <= 3; i++) await publish(jsa, `orders.${i}`, `o${i}`);
      await publish(jsa, "orders.keep", "k1");
    });
    afterAll(() => stopXacct(x));

    const info = (name: string) => api(u, `STREAM.INFO.${name}`) as Promise<Record<string, any>>;

    it("a source in U copies JSA's backlog and live messages; its info shows the external config", async () => {
      const r = await api(u, "STREAM.CREATE.COPY", { name: "COPY", sources: [{ name: "S", external: EXTERNAL }] });
      expect(r.error).toBeUndefined();
      expect((r.config as Record<string, unknown>).sources).toEqual([{ name: "S", external: EXTERNAL }]);
      await waitUntil(async () => (await info("COPY")).state.messages === 4, 15_000, "backlog");
      await publish(jsa, "orders.4", "o4");
      await waitUntil(async () => (await info("COPY")).state.messages === 5, 15_000, "live");
      const i = await info("COPY");
      expect(i.sources).toHaveLength(1);
      expect(i.sources[0]).toMatchObject({ name: "S", external: EXTERNAL, lag: 0 });
      const m = (await api(u, "STREAM.MSG.GET.COPY", { seq: 5 })).message as { subject: string; hdrs: string };
      expect(m.subject).toBe("orders.4");
      // The source's index name: the stream and nats-server's hash of the API prefix.
      expect(Buffer.from(m.hdrs, "base64").toString()).toBe("NATS/1.0\r\nNats-Stream-Source: S:kZORJR7W 5\r\n\r\n");
      // JSA's listing does not show the direct consumer.
      expect((await api(jsa, "CONSUMER.NAMES.S")).consumers).toEqual([]);
    });

    it("a filtered source takes only its subject", async () => {
      const r = await api(u, "STREAM.CREATE.KEEP", { name: "KEEP", sources: [{ name: "S", filter_subject: "orders.keep", external: EXTERNAL }] });
      expect(r.error).toBeUndefined();
      await waitUntil(async () => (await info("KEEP")).state.messages === 1, 15_000, "filtered backlog");
      await publish(jsa, "orders.keep", "k2");
      await publish(jsa, "orders.5", "o5");
      await waitUntil(async () => (await info("KEEP")).state.messages === 2, 15_000, "filtered live");
      expect((await info("KEEP")).state.num_subjects).toBe(1);
    });

    it("a mirror in U keeps JSA's sequences", async () => {
      const r = await api(u, "STREAM.CREATE.MIR", { name: "MIR", mirror: { name: "S", external: EXTERNAL } });
      expect(r.error).toBeUndefined();
      const last = ((await api(jsa, "STREAM.INFO.S")).state as { last_seq: number }).last_seq;
      await waitUntil(async () => (await info("MIR")).state.last_seq === last, 15_000, "mirror");
      const mine = (await api(u, "STREAM.MSG.GET.MIR", { seq: 2 })).message;
      const theirs = (await api(jsa, "STREAM.MSG.GET.S", { seq: 2 })).message;
      expect(mine).toEqual(theirs);
      expect((await info("MIR")).mirror).toMatchObject({ name: "S", external: EXTERNAL, lag: 0 });
    });

    it("a 4 MiB burst arrives whole through flow control across the boundary", async () => {
      const before = (await info("COPY")).state.messages as number;
      const js = jsa.jetstream();
      const payload = new Uint8Array(64 * 1024).fill(1);
      await Promise.all(Array.from({ length: 64 }, () => js.publish("orders.big", payload)));
      await waitUntil(async () => (await info("COPY")).state.messages === before + 64, 20_000, "burst");
    });

    it("refused: the JetStream API itself as external api (10021), a wildcard deliver prefix (10024)", async () => {
      const a = await api(u, "STREAM.CREATE.BAD1", { name: "BAD1", sources: [{ name: "S", external: { api: "$JS.API", deliver: "deliver.U" } }] });
      expect(a.error).toEqual({ code: 400, err_code: 10021, description: "stream external api prefix $JS.API must not overlap with $JS.API" });
      const b = await api(u, "STREAM.CREATE.BAD2", { name: "BAD2", sources: [{ name: "S", external: { api: PREFIX, deliver: "deliver.*" } }] });
      expect(b.error).toEqual({ code: 400, err_code: 10024, description: "stream external delivery prefix deliver.* must not contain wildcards" });
    });
  });
}

import { AckPolicy, type NatsConnection, connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, publish, storeDir } from "./helpers/jetstream.js";
import { validateResponse } from "./helpers/schemas.js";
import { AGAINST_NATS_SERVER, type Target, startConfigured } from "./helpers/target.js";
import { waitUntil } from "./helpers/wait.js";

/**
 * The consumer part of the $JS.API (create forms, defaults, updates, info, names, list, delete, and every
 * refusal with its code) as nats-server 2.9.10 answers it; responses validated against the official
 * schemas. Runs against the real nats-server with TSNATS_TEST_TARGET=nats-server.
 */
let srv: Target;
let nc: NatsConnection;

beforeAll(async () => {
  srv = await startConfigured(`jetstream { store_dir: "${storeDir()}" }`);
  nc = await connect({ servers: srv.url });
  for (const [name, subjects, extra] of [
    ["S", ["s.>"], {}],
    ["WQ", ["wq.>"], { retention: "workqueue" }],
    ["MAX", ["max.>"], { max_consumers: 1 }],
  ] as const) {
    const r = await api(nc, `STREAM.CREATE.${name}`, { name, subjects, ...extra });
    expect(r.error).toBeUndefined();
  }
  for (const s of ["s.a", "s.b", "s.a"]) await publish(nc, s, "x");
});
afterAll(async () => {
  await nc.close();
  await srv.close();
});

type ApiError = { code: number; err_code: number; description: string };

async function call(subject: string, schema: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await api(nc, subject, body);
  validateResponse(schema, r);
  expect(r.type).toBe(`io.nats.jetstream.api.v1.${schema}`);
  return r;
}

async function create(subject: string, config: Record<string, unknown>, stream = "S"): Promise<Record<string, unknown>> {
  return call(`CONSUMER.${subject}`, "consumer_create_response", { stream_name: stream, config });
}

describe("creating consumers", () => {
  it("DURABLE.CREATE: nats-server's defaults, key order and info fields", async () => {
    const r = await create("DURABLE.CREATE.S.D1", { durable_name: "D1", ack_policy: "explicit" });
    expect(r.error).toBeUndefined();
    expect(Object.keys(r)).toEqual([
      "type",
      "stream_name",
      "name",
      "created",
      "config",
      "delivered",
      "ack_floor",
      "num_ack_pending",
      "num_redelivered",
      "num_waiting",
      "num_pending",
    ]);
    expect(r.config).toEqual({
      durable_name: "D1",
      deliver_policy: "all",
      ack_policy: "explicit",
      ack_wait: 30_000_000_000,
      max_deliver: -1,
      replay_policy: "instant",
      max_waiting: 512,
      max_ack_pending: 1000,
      num_replicas: 0,
    });
    expect(Object.keys(r.config as object)).toEqual(["durable_name", "deliver_policy", "ack_policy", "ack_wait", "max_deliver", "replay_policy", "max_waiting", "max_ack_pending", "num_replicas"]);
    expect(r).toMatchObject({
      stream_name: "S",
      name: "D1",
      delivered: { consumer_seq: 0, stream_seq: 0 },
      ack_floor: { consumer_seq: 0, stream_seq: 0 },
      num_ack_pending: 0,
      num_redelivered: 0,
      num_waiting: 0,
      num_pending: 3,
    });
  });

  it("without an ack policy 2.9.10 defaults to none: no ack_wait, no max_ack_pending", async () => {
    const r = await create("DURABLE.CREATE.S.NOACK", { durable_name: "NOACK" });
    expect(r.config).toEqual({ durable_name: "NOACK", deliver_policy: "all", ack_policy: "none", max_deliver: -1, replay_policy: "instant", max_waiting: 512, num_replicas: 0 });
  });

  it("CONSUMER.CREATE.<s>.<name> with a durable name keeps both names", async () => {
    const r = await create("CREATE.S.D2", { durable_name: "D2", ack_policy: "explicit" });
    expect(r.name).toBe("D2");
    expect((r.config as Record<string, unknown>).durable_name).toBe("D2");
    expect((r.config as Record<string, unknown>).name).toBe("D2");
  });

  it("CONSUMER.CREATE.<s> makes an ephemeral with an 8-character name and a 5 s inactive threshold", async () => {
    const r = await create("CREATE.S", { ack_policy: "explicit" });
    expect(r.name).toMatch(/^[A-Za-z0-9]{8}$/);
    expect((r.config as Record<string, unknown>).inactive_threshold).toBe(5_000_000_000);
    expect((r.config as Record<string, unknown>).durable_name).toBeUndefined();
  });

  it("CONSUMER.CREATE.<s>.<name>.<filter> needs the same filter in the body", async () => {
    const r = await create("CREATE.S.F1.s.a", { name: "F1", filter_subject: "s.a", ack_policy: "explicit" });
    expect(r.error).toBeUndefined();
    expect(r.num_pending).toBe(2);
    const bad = await create("CREATE.S.F2.s.a", { name: "F2", filter_subject: "s.b" });
    expect(bad.error).toEqual({ code: 400, err_code: 10131, description: "Consumer create request did not match filtered subject from create subject" });
  });

  it("initial delivered.stream_seq follows the deliver policy", async () => {
    expect(((await create("DURABLE.CREATE.S.BSS", { durable_name: "BSS", deliver_policy: "by_start_sequence", opt_start_seq: 2 })).delivered as Record<string, number>).stream_seq).toBe(1);
    expect(((await create("DURABLE.CREATE.S.LAST", { durable_name: "LAST", deliver_policy: "last" })).delivered as Record<string, number>).stream_seq).toBe(2);
    expect(((await create("DURABLE.CREATE.S.NEW", { durable_name: "NEW", deliver_policy: "new" })).delivered as Record<string, number>).stream_seq).toBe(3);
    expect((await create("DURABLE.CREATE.S.NEW2", { durable_name: "NEW2", deliver_policy: "new" })).num_pending).toBe(0);
  });

  it("backoff sets ack_wait to its first value", async () => {
    const r = await create("DURABLE.CREATE.S.BO1", { durable_name: "BO1", ack_policy: "explicit", ack_wait: 5e9, backoff: [1e9, 2e9], max_deliver: 5 });
    expect((r.config as Record<string, unknown>).ack_wait).toBe(1e9);
    expect((r.config as Record<string, unknown>).backoff).toEqual([1e9, 2e9]);
  });

  const refusals: [string, string, Record<string, unknown> | string | undefined, ApiError][] = [
    ["durable name in subject differs from body", "DURABLE.CREATE.S.X1", { stream_name: "S", config: { durable_name: "OTHER" } }, { code: 400, err_code: 10017, description: "consumer name in subject does not match durable name in request" }],
    ["CREATE.<s>.<name> differs from durable", "CREATE.S.X2", { stream_name: "S", config: { durable_name: "OTHER" } }, { code: 400, err_code: 10017, description: "consumer name in subject does not match durable name in request" }],
    ["DURABLE.CREATE without durable name", "DURABLE.CREATE.S.X3", { stream_name: "S", config: {} }, { code: 400, err_code: 10018, description: "consumer expected to be durable but a durable name was not set" }],
    ["ephemeral form with a durable name", "CREATE.S", { stream_name: "S", config: { durable_name: "X4" } }, { code: 400, err_code: 10020, description: "consumer expected to be ephemeral but a durable name was set in request" }],
    ["stream name missing in body", "DURABLE.CREATE.S.X5", { config: { durable_name: "X5" } }, { code: 400, err_code: 10056, description: "stream name in subject does not match request" }],
    ["stream name differs", "DURABLE.CREATE.S.X6", { stream_name: "T", config: { durable_name: "X6" } }, { code: 400, err_code: 10056, description: "stream name in subject does not match request" }],
    ["missing stream", "DURABLE.CREATE.NOPE.X7", { stream_name: "NOPE", config: { durable_name: "X7" } }, { code: 404, err_code: 10059, description: "stream not found" }],
    ["bad JSON", "DURABLE.CREATE.S.X8", "{nope", { code: 400, err_code: 10025, description: "invalid JSON" }],
    ["empty body", "DURABLE.CREATE.S.X9", undefined, { code: 400, err_code: 10025, description: "invalid JSON" }],
    ["bad enum", "DURABLE.CREATE.S.X10", { stream_name: "S", config: { durable_name: "X10", ack_policy: "sometimes" } }, { code: 400, err_code: 10025, description: "invalid JSON" }],
    ["wrong field type", "DURABLE.CREATE.S.X11", { stream_name: "S", config: { durable_name: "X11", max_deliver: "many" } }, { code: 400, err_code: 10025, description: "invalid JSON" }],
    ["durable with a wildcard", "DURABLE.CREATE.S.a*", { stream_name: "S", config: { durable_name: "a*" } }, { code: 400, err_code: 10103, description: "durable name can not contain '.', '*', '>'" }],
    ["last_per_subject without filter", "DURABLE.CREATE.S.X12", { stream_name: "S", config: { durable_name: "X12", deliver_policy: "last_per_subject" } }, { code: 400, err_code: 10094, description: "consumer delivery policy is deliver last per subject, but optional filter subject is not set" }],
    ["by_start_sequence without a sequence", "DURABLE.CREATE.S.X13", { stream_name: "S", config: { durable_name: "X13", deliver_policy: "by_start_sequence" } }, { code: 400, err_code: 10094, description: "consumer delivery policy is deliver by start sequence, but optional start sequence is not set" }],
    ["deliver all with a start sequence", "DURABLE.CREATE.S.X14", { stream_name: "S", config: { durable_name: "X14", opt_start_seq: 2 } }, { code: 400, err_code: 10094, description: "consumer delivery policy is deliver all, but optional start sequence is also set" }],
    ["filter outside the stream", "DURABLE.CREATE.S.X15", { stream_name: "S", config: { durable_name: "X15", filter_subject: "other.>" } }, { code: 400, err_code: 10093, description: "consumer filter subject is not a valid subset of the interest subjects" }],
    ["push with max_waiting", "DURABLE.CREATE.S.X16", { stream_name: "S", config: { durable_name: "X16", deliver_subject: "d.x16", max_waiting: 10 } }, { code: 400, err_code: 10080, description: "consumer in push mode can not set max waiting" }],
    ["max_ack_pending without acks", "DURABLE.CREATE.S.X16B", { stream_name: "S", config: { durable_name: "X16B", deliver_subject: "d.x16b", ack_policy: "none", max_ack_pending: 100 } }, { code: 400, err_code: 10082, description: "consumer requires ack policy for max ack pending" }],
    ["flow control without heartbeats", "DURABLE.CREATE.S.X17", { stream_name: "S", config: { durable_name: "X17", deliver_subject: "d.x17", flow_control: true } }, { code: 400, err_code: 10108, description: "consumer with flow control also needs heartbeats" }],
    ["backoff as long as max_deliver", "DURABLE.CREATE.S.X18", { stream_name: "S", config: { durable_name: "X18", ack_policy: "explicit", backoff: [1e9, 2e9], max_deliver: 2 } }, { code: 400, err_code: 10116, description: "max deliver is required to be > length of backoff values" }],
    ["deliver subject inside the stream", "DURABLE.CREATE.S.X19", { stream_name: "S", config: { durable_name: "X19", deliver_subject: "s.deliver" } }, { code: 400, err_code: 10081, description: "consumer deliver subject forms a cycle" }],
  ];
  for (const [what, subject, body, error] of refusals) {
    it(`refuses: ${what} (${error.err_code})`, async () => {
      const r = await call(`CONSUMER.${subject}`, "consumer_create_response", body);
      expect(r.error).toEqual(error);
      expect(Object.keys(r)).toEqual(["type", "error"]);
    });
  }

  it("the stream's max_consumers is enforced (10026)", async () => {
    expect((await create("DURABLE.CREATE.MAX.M1", { durable_name: "M1" }, "MAX")).error).toBeUndefined();
    const r = await create("DURABLE.CREATE.MAX.M2", { durable_name: "M2" }, "MAX");
    expect(r.error).toEqual({ code: 400, err_code: 10026, description: "maximum consumers limit reached" });
    // Re-creating the existing one is not a new consumer.
    expect((await create("DURABLE.CREATE.MAX.M1", { durable_name: "M1" }, "MAX")).error).toBeUndefined();
  });
});

describe("re-creating and updating", () => {
  beforeAll(async () => {
    expect((await create("DURABLE.CREATE.S.RC", { durable_name: "RC", ack_policy: "explicit" })).error).toBeUndefined();
  });

  it("the same configuration again is idempotent (same created time)", async () => {
    const a = await call("CONSUMER.INFO.S.RC", "consumer_info_response");
    const b = await create("DURABLE.CREATE.S.RC", { durable_name: "RC", ack_policy: "explicit" });
    expect(b.error).toBeUndefined();
    expect(b.created).toBe(a.created);
  });

  it("ack_wait, description, max_ack_pending and filter are updated in place", async () => {
    const r = await create("DURABLE.CREATE.S.RC", { durable_name: "RC", ack_policy: "explicit", ack_wait: 10e9, description: "d", max_ack_pending: 5, filter_subject: "s.a" });
    expect(r.error).toBeUndefined();
    expect(r.config).toMatchObject({ ack_wait: 10e9, description: "d", max_ack_pending: 5, filter_subject: "s.a" });
    expect((await call("CONSUMER.INFO.S.RC", "consumer_info_response")).config).toMatchObject({ ack_wait: 10e9, max_ack_pending: 5 });
  });

  it("refuses changes that cannot be made (500/10012)", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ack_policy: "all" }, "ack policy can not be updated"],
      [{ ack_policy: "explicit", deliver_policy: "new" }, "deliver policy can not be updated"],
      [{ ack_policy: "explicit", max_waiting: 7 }, "max waiting can not be updated"],
      [{ ack_policy: "explicit", deliver_subject: "d.rc" }, "max waiting can not be updated"],
    ];
    for (const [change, description] of cases) {
      const r = await create("DURABLE.CREATE.S.RC", { durable_name: "RC", ...change });
      expect(r.error).toEqual({ code: 500, err_code: 10012, description });
    }
  });
});

describe("info, names, list, delete", () => {
  beforeAll(async () => {
    const r = await api(nc, "STREAM.CREATE.L", { name: "L", subjects: ["l.>"] });
    expect(r.error).toBeUndefined();
    for (const n of ["C3", "C1", "C2"]) expect((await create(`DURABLE.CREATE.L.${n}`, { durable_name: n }, "L")).error).toBeUndefined();
  });

  it("INFO answers like create; missing consumer 10014, missing stream 10059", async () => {
    const r = await call("CONSUMER.INFO.L.C1", "consumer_info_response");
    expect(r).toMatchObject({ stream_name: "L", name: "C1", num_pending: 0 });
    expect((await call("CONSUMER.INFO.L.NOPE", "consumer_info_response")).error).toEqual({ code: 404, err_code: 10014, description: "consumer not found" });
    expect((await call("CONSUMER.INFO.NOPE.C1", "consumer_info_response")).error).toEqual({ code: 404, err_code: 10059, description: "stream not found" });
  });

  it("NAMES is sorted, pages by 1024, and is [] (not null) when empty", async () => {
    expect(await call("CONSUMER.NAMES.L", "consumer_names_response")).toEqual({
      type: "io.nats.jetstream.api.v1.consumer_names_response",
      total: 3,
      offset: 0,
      limit: 1024,
      consumers: ["C1", "C2", "C3"],
    });
    expect((await call("CONSUMER.NAMES.L", "consumer_names_response", { offset: 2 })).consumers).toEqual(["C3"]);
    expect((await call("CONSUMER.NAMES.L", "consumer_names_response", { offset: 9 })).offset).toBe(3);
    expect((await call("CONSUMER.NAMES.WQ", "consumer_names_response")).consumers).toEqual([]);
    expect(await call("CONSUMER.NAMES.NOPE", "consumer_names_response")).toEqual({
      type: "io.nats.jetstream.api.v1.consumer_names_response",
      error: { code: 404, err_code: 10059, description: "stream not found" },
      total: 0,
      offset: 0,
      limit: 0,
      consumers: [],
    });
    expect((await call("CONSUMER.NAMES.L", "consumer_names_response", "{bad")).error).toMatchObject({ err_code: 10025 });
  });

  it("LIST gives infos sorted by name, limit 256", async () => {
    const r = await call("CONSUMER.LIST.L", "consumer_list_response");
    expect(r).toMatchObject({ total: 3, offset: 0, limit: 256 });
    const items = r.consumers as Record<string, unknown>[];
    expect(items.map((c) => c.name)).toEqual(["C1", "C2", "C3"]);
    expect(items[0].type).toBeUndefined();
    expect((await call("CONSUMER.LIST.NOPE", "consumer_list_response")).error).toMatchObject({ err_code: 10059 });
  });

  it("DELETE: success, then 10014; a body is refused (10038); missing stream 10059", async () => {
    expect((await call("CONSUMER.DELETE.L.C3", "consumer_delete_response", { x: 1 })).error).toEqual({ code: 400, err_code: 10038, description: "expected an empty request payload" });
    expect(await call("CONSUMER.DELETE.L.C3", "consumer_delete_response")).toEqual({ type: "io.nats.jetstream.api.v1.consumer_delete_response", success: true });
    expect((await call("CONSUMER.DELETE.L.C3", "consumer_delete_response")).error).toEqual({ code: 404, err_code: 10014, description: "consumer not found" });
    expect((await call("CONSUMER.DELETE.NOPE.C1", "consumer_delete_response")).error).toEqual({ code: 404, err_code: 10059, description: "stream not found" });
    expect((await call("CONSUMER.NAMES.L", "consumer_names_response")).consumers).toEqual(["C1", "C2"]);
  });

  it("stream info counts consumers; deleting the stream deletes them", async () => {
    expect(((await api(nc, "STREAM.INFO.L")).state as Record<string, unknown>).consumer_count).toBe(2);
    await api(nc, "STREAM.DELETE.L");
    await api(nc, "STREAM.CREATE.L", { name: "L", subjects: ["l.>"] });
    expect((await call("CONSUMER.NAMES.L", "consumer_names_response")).consumers).toEqual([]);
  });
});

describe("workqueue streams", () => {
  it("allow one consumer per message", async () => {
    expect((await create("DURABLE.CREATE.WQ.W1", { durable_name: "W1", ack_policy: "explicit", filter_subject: "wq.a" }, "WQ")).error).toBeUndefined();
    const refused: [string, Record<string, unknown>, number][] = [
      ["W2", { ack_policy: "explicit" }, 10099],
      ["W3", { ack_policy: "explicit", filter_subject: "wq.a" }, 10100],
      ["W4", { ack_policy: "explicit", filter_subject: "wq.*" }, 10100],
      ["W5", { ack_policy: "none", filter_subject: "wq.b" }, 10084],
      ["W6", { ack_policy: "all", filter_subject: "wq.b" }, 10098],
      ["W7", { ack_policy: "explicit", deliver_policy: "last", filter_subject: "wq.b" }, 10101],
    ];
    for (const [name, cfg, code] of refused) {
      const r = await create(`DURABLE.CREATE.WQ.${name}`, { durable_name: name, ...cfg }, "WQ");
      expect(r.error, name).toMatchObject({ err_code: code });
    }
    // Ephemerals count too.
    expect((await create("CREATE.WQ", { ack_policy: "explicit", filter_subject: "wq.a" }, "WQ")).error).toMatchObject({ err_code: 10100 });
    // A push consumer with explicit acks on another filter is fine.
    expect((await create("DURABLE.CREATE.WQ.W8", { durable_name: "W8", ack_policy: "explicit", filter_subject: "wq.b", deliver_subject: "d.w8" }, "WQ")).error).toBeUndefined();
  });
});

describe("ephemeral consumers", () => {
  it("go away after their inactive threshold, with a DELETED advisory", async () => {
    const adv = nc.subscribe("$JS.EVENT.ADVISORY.CONSUMER.DELETED.S.>");
    const r = await create("CREATE.S", { ack_policy: "explicit", inactive_threshold: 200_000_000 });
    const name = r.name as string;
    expect((r.config as Record<string, unknown>).inactive_threshold).toBe(200_000_000);
    await waitUntil(async () => (await api(nc, `CONSUMER.INFO.S.${name}`)).error !== undefined, 10_000, "ephemeral gone");
    for await (const m of adv) {
      const a = m.json<Record<string, unknown>>();
      if (a.consumer !== name) continue;
      expect(a).toMatchObject({ type: "io.nats.jetstream.advisory.v1.consumer_action", stream: "S", consumer: name, action: "delete" });
      expect(a.id).toMatch(/^[A-Za-z0-9]{22}$/);
      break;
    }
  });

  it("a durable with an inactive threshold goes too", async () => {
    const r = await create("DURABLE.CREATE.S.DI", { durable_name: "DI", inactive_threshold: 200_000_000 });
    expect(r.error).toBeUndefined();
    await waitUntil(async () => (await api(nc, "CONSUMER.INFO.S.DI")).error !== undefined, 10_000, "durable gone");
  });
});

/**
 * What nats-server 2.10 added, which tsnats offers because it reports version 2.10.0 (the nats client picks
 * these forms from it). 2.9.10 cannot check them, so they are skipped against it.
 */
describe.skipIf(AGAINST_NATS_SERVER)("2.10 additions", () => {
  beforeAll(async () => {
    const r = await api(nc, "STREAM.CREATE.TEN", { name: "TEN", subjects: ["ten.>"] });
    expect(r.error).toBeUndefined();
    for (const s of ["ten.a", "ten.b", "ten.c", "ten.a"]) await publish(nc, s, "x");
  });

  it('action "create" refuses to change an existing consumer (10148); "update" refuses to make one (10149)', async () => {
    const body = (config: Record<string, unknown>, action: string) => ({ stream_name: "TEN", config, action });
    expect((await call("CONSUMER.CREATE.TEN.A1", "consumer_create_response", body({ name: "A1", durable_name: "A1" }, "create"))).error).toBeUndefined();
    // The same configuration again is fine.
    expect((await call("CONSUMER.CREATE.TEN.A1", "consumer_create_response", body({ name: "A1", durable_name: "A1" }, "create"))).error).toBeUndefined();
    expect((await call("CONSUMER.CREATE.TEN.A1", "consumer_create_response", body({ name: "A1", durable_name: "A1", description: "new" }, "create"))).error).toEqual({
      code: 400,
      err_code: 10148,
      description: "consumer already exists",
    });
    expect((await call("CONSUMER.CREATE.TEN.A1", "consumer_create_response", body({ name: "A1", durable_name: "A1", description: "new" }, "update"))).error).toBeUndefined();
    expect((await call("CONSUMER.CREATE.TEN.A2", "consumer_create_response", body({ name: "A2", durable_name: "A2" }, "update"))).error).toEqual({
      code: 400,
      err_code: 10149,
      description: "consumer does not exist",
    });
    expect((await call("CONSUMER.CREATE.TEN.A3", "consumer_create_response", body({ name: "A3" }, "sideways"))).error).toMatchObject({ err_code: 10025 });
  });

  it("the client's add and update use those actions", async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add("TEN", { durable_name: "CL", ack_policy: AckPolicy.Explicit });
    await expect(jsm.consumers.add("TEN", { durable_name: "CL", ack_policy: AckPolicy.Explicit, description: "other" })).rejects.toThrow(/consumer already exists/);
    const updated = await jsm.consumers.update("TEN", "CL", { description: "other" });
    expect(updated.config.description).toBe("other");
  });

  it("filter_subjects: several filters, delivered in stream order; overlaps and mixing are refused", async () => {
    const r = await call("CONSUMER.CREATE.TEN.MF", "consumer_create_response", { stream_name: "TEN", config: { name: "MF", filter_subjects: ["ten.a", "ten.c"], ack_policy: "none" } });
    expect(r.error).toBeUndefined();
    expect(r.num_pending).toBe(3);
    const c = await nc.jetstream().consumers.get("TEN", "MF");
    const seen: string[] = [];
    for await (const m of await c.fetch({ max_messages: 3, expires: 2000 })) seen.push(`${m.seq}:${m.subject}`);
    expect(seen).toEqual(["1:ten.a", "3:ten.c", "4:ten.a"]);
    const overlap = await call("CONSUMER.CREATE.TEN.MF2", "consumer_create_response", { stream_name: "TEN", config: { name: "MF2", filter_subjects: ["ten.*", "ten.a"] } });
    expect(overlap.error).toEqual({ code: 400, err_code: 10138, description: "consumer subject filters cannot overlap" });
    const both = await call("CONSUMER.CREATE.TEN.MF3", "consumer_create_response", { stream_name: "TEN", config: { name: "MF3", filter_subject: "ten.a", filter_subjects: ["ten.b"] } });
    expect(both.error).toMatchObject({ err_code: 10136 });
    const viaSubject = await call("CONSUMER.CREATE.TEN.MF4.ten.a", "consumer_create_response", { stream_name: "TEN", config: { name: "MF4", filter_subjects: ["ten.a", "ten.b"] } });
    expect(viaSubject.error).toMatchObject({ err_code: 10137 });
  });

  it("metadata is kept", async () => {
    const r = await call("CONSUMER.CREATE.TEN.META", "consumer_create_response", { stream_name: "TEN", config: { name: "META", metadata: { team: "a" } } });
    expect((r.config as Record<string, unknown>).metadata).toEqual({ team: "a" });
  });

  it("sample_freq reports acks as metrics", async () => {
    const metrics = nc.subscribe("$JS.EVENT.METRIC.CONSUMER.ACK.TEN.SMP", { max: 1 });
    await call("CONSUMER.DURABLE.CREATE.TEN.SMP", "consumer_create_response", { stream_name: "TEN", config: { durable_name: "SMP", ack_policy: "explicit", sample_freq: "100%" } });
    const m = await (await nc.jetstream().consumers.get("TEN", "SMP")).next({ expires: 2000 });
    await m!.ackAck();
    for await (const a of metrics) {
      expect(a.json<Record<string, unknown>>()).toMatchObject({ type: "io.nats.jetstream.metric.v1.consumer_ack", stream: "TEN", consumer: "SMP", stream_seq: 1, consumer_seq: 1, deliveries: 1 });
    }
  });

  it("rate_limit_bps paces a push consumer", async () => {
    const r = await api(nc, "STREAM.CREATE.RATE", { name: "RATE", subjects: ["rate"] });
    expect(r.error).toBeUndefined();
    for (let i = 0; i < 3; i++) await publish(nc, "rate", "x".repeat(800));
    const sub = nc.subscribe("deliver.rate", { max: 3 });
    await nc.flush();
    const t0 = Date.now();
    // 16 kbit/s is 2000 B/s: three ~870 B deliveries cannot all arrive in under ~0.8 s.
    await call("CONSUMER.DURABLE.CREATE.RATE.R", "consumer_create_response", { stream_name: "RATE", config: { durable_name: "R", deliver_subject: "deliver.rate", rate_limit_bps: 16_000 } });
    let n = 0;
    for await (const _ of sub) n++;
    expect(n).toBe(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
  });
});

import { type ServerHandle } from "@tsnats/server";
import { type NatsConnection, connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, publish, storeDir } from "./helpers/jetstream.js";
import { validateResponse } from "./helpers/schemas.js";
import { startTestServer } from "./helpers/server.js";

/**
 * The $JS.API as nats-server 2.9.10 answers it: shapes, defaults, error codes (observed on the real
 * server), every response validated against the official schemas.
 */
let srv: ServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  srv = await startTestServer({ jetstream: { enabled: true, storeDir: storeDir() } });
  nc = await connect({ servers: srv.url });
});
afterAll(async () => {
  await nc.close();
  await srv.close();
});

async function call(subject: string, schema: string, body?: unknown): Promise<Record<string, unknown>> {
  const r = await api(nc, subject, body);
  validateResponse(schema, r);
  expect(r.type).toBe(`io.nats.jetstream.api.v1.${schema}`);
  return r;
}

function errorOf(r: Record<string, unknown>): { code: number; err_code: number; description: string } {
  return r.error as { code: number; err_code: number; description: string };
}

describe("account info", () => {
  it("reports usage and unlimited limits", async () => {
    const r = await call("INFO", "account_info_response");
    expect(r.limits).toEqual({
      max_memory: -1,
      max_storage: -1,
      max_streams: -1,
      max_consumers: -1,
      max_ack_pending: -1,
      memory_max_stream_bytes: -1,
      storage_max_stream_bytes: -1,
      max_bytes_required: false,
    });
    expect(r.api).toMatchObject({ errors: expect.any(Number) });
  });
});

describe("streams", () => {
  it("creates with nats-server's defaults filled in, and an identical create is idempotent", async () => {
    const r = await call("STREAM.CREATE.DEF", "stream_create_response", { name: "DEF", subjects: ["def.>"] });
    expect(r.did_create).toBe(true);
    expect(r.config).toEqual({
      name: "DEF",
      subjects: ["def.>"],
      retention: "limits",
      max_consumers: -1,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      max_msgs_per_subject: -1,
      max_msg_size: -1,
      discard: "old",
      storage: "file",
      num_replicas: 1,
      duplicate_window: 120000000000,
      allow_direct: false,
      mirror_direct: false,
      sealed: false,
      deny_delete: false,
      deny_purge: false,
      allow_rollup_hdrs: false,
    });
    expect(r.state).toEqual({
      messages: 0,
      bytes: 0,
      first_seq: 0,
      first_ts: "0001-01-01T00:00:00Z",
      last_seq: 0,
      last_ts: "0001-01-01T00:00:00Z",
      consumer_count: 0,
    });
    const again = await call("STREAM.CREATE.DEF", "stream_create_response", { name: "DEF", subjects: ["def.>"] });
    expect(again.error).toBeUndefined();
    const different = await call("STREAM.CREATE.DEF", "stream_create_response", { name: "DEF", subjects: ["def.>"], max_msgs: 5 });
    expect(errorOf(different).err_code).toBe(10058);
  });

  it("refuses bad configurations with nats-server's codes", async () => {
    const cases: Array<[string, unknown, number, string?]> = [
      ["OV", { name: "OV", subjects: ["def.a"] }, 10065],
      ["X1", { name: "X2", subjects: ["x1"] }, 10056],
      ["BJ", "{bad", 10025, "invalid JSON"],
      ["BT", { name: "BT", max_msgs: "ten" }, 10025],
      ["BR", { name: "BR", retention: "foo" }, 10025],
      ["R3", { name: "R3", num_replicas: 3 }, 10074],
      ["SE", { name: "SE", sealed: true }, 10052, "stream configuration for create can not be sealed"],
      ["AP", { name: "AP", subjects: ["$JS.API.>"] }, 10052, "subjects overlap with jetstream api"],
      ["DW", { name: "DW", max_age: 1e9, duplicate_window: 2e9 }, 10052, "duplicates window can not be larger then max age"],
      ["RP", { name: "RP", deny_purge: true, allow_rollup_hdrs: true }, 10052, "roll-ups require the purge permission"],
      ["DS", { name: "DS", subjects: ["d", "d"] }, 10052, "duplicate subjects detected"],
      ["IS", { name: "IS", subjects: ["a..b"] }, 10052, "invalid subject"],
      ["a/b", { name: "a/b" }, 10128],
    ];
    for (const [subjectName, body, code, description] of cases) {
      const r = await call(`STREAM.CREATE.${subjectName}`, "stream_create_response", body);
      expect(errorOf(r).err_code, subjectName).toBe(code);
      if (description !== undefined) expect(errorOf(r).description).toBe(description);
    }
    const empty = await call("STREAM.CREATE.EMPTY", "stream_create_response");
    expect(errorOf(empty).err_code).toBe(10025);
  });

  it("defaults the subjects to the stream name; 0 limits read as unlimited; a short max_age shortens the duplicate window", async () => {
    const r = await call("STREAM.CREATE.NAMED", "stream_create_response", { name: "NAMED", max_msgs: 0, max_age: 10e9 });
    const cfg = r.config as Record<string, unknown>;
    expect(cfg.subjects).toEqual(["NAMED"]);
    expect(cfg.max_msgs).toBe(-1);
    expect(cfg.duplicate_window).toBe(10e9);
  });

  it("updates what may change and refuses what may not", async () => {
    await call("STREAM.CREATE.UP", "stream_create_response", { name: "UP", subjects: ["up.>"] });
    const ok = await call("STREAM.UPDATE.UP", "stream_update_response", { name: "UP", subjects: ["up.>", "up2.*"], max_msgs: 100, description: "d" });
    expect((ok.config as Record<string, unknown>).max_msgs).toBe(100);
    const refusals: Array<[unknown, string]> = [
      [{ name: "UP", subjects: ["up.>"], storage: "memory" }, "stream configuration update can not change storage type"],
      [{ name: "UP", subjects: ["up.>"], retention: "workqueue" }, "stream configuration update can not change retention policy"],
      [{ name: "UP", subjects: ["up.>"], max_consumers: 5 }, "stream configuration update can not change MaxConsumers"],
    ];
    for (const [body, description] of refusals) {
      const r = await call("STREAM.UPDATE.UP", "stream_update_response", body);
      expect(errorOf(r)).toEqual({ code: 500, err_code: 10052, description });
    }
    expect(errorOf(await call("STREAM.UPDATE.NOPE", "stream_update_response", { name: "NOPE" })).err_code).toBe(10059);
    expect(errorOf(await call("STREAM.UPDATE.UP", "stream_update_response", { name: "UP", subjects: ["def.x"] })).err_code).toBe(10065);
  });

  it("INFO: state, subjects_filter paging, deleted_details; missing stream 10059", async () => {
    await call("STREAM.CREATE.INF", "stream_create_response", { name: "INF", subjects: ["inf.>"] });
    for (const s of ["inf.a", "inf.b", "inf.a", "inf.c.d", "inf.a", "inf.b", "inf.e", "inf.f"]) await publish(nc, s, `data-${s}`);
    await call("STREAM.MSG.DELETE.INF", "stream_msg_delete_response", { seq: 2 });
    await call("STREAM.MSG.DELETE.INF", "stream_msg_delete_response", { seq: 4 });
    const plain = await call("STREAM.INFO.INF", "stream_info_response");
    expect(plain.state).toMatchObject({ messages: 6, first_seq: 1, last_seq: 8, num_subjects: 4, num_deleted: 2, consumer_count: 0 });
    expect(plain).toMatchObject({ total: 0, offset: 0, limit: 0 });
    expect((plain.state as Record<string, unknown>).deleted).toBeUndefined();
    const detailed = await call("STREAM.INFO.INF", "stream_info_response", { deleted_details: true, subjects_filter: ">" });
    expect((detailed.state as Record<string, unknown>).deleted).toEqual([2, 4]);
    expect((detailed.state as Record<string, unknown>).subjects).toEqual({ "inf.a": 3, "inf.b": 1, "inf.e": 1, "inf.f": 1 });
    expect(detailed).toMatchObject({ total: 4, offset: 0, limit: 100000 });
    const paged = await call("STREAM.INFO.INF", "stream_info_response", { subjects_filter: ">", offset: 2 });
    expect(Object.keys((paged.state as Record<string, unknown>).subjects as object).length).toBe(2);
    const missing = await call("STREAM.INFO.NOPE", "stream_info_response");
    expect(missing).toMatchObject({ error: { code: 404, err_code: 10059, description: "stream not found" }, total: 0, offset: 0, limit: 0 });
  });

  it("NAMES and LIST page and filter by subject", async () => {
    const names = await call("STREAM.NAMES", "stream_names_response");
    expect(names.limit).toBe(1024);
    expect((names.streams as string[]).length).toBe(names.total);
    const filtered = await call("STREAM.NAMES", "stream_names_response", { subject: "inf.a" });
    expect(filtered.streams).toEqual(["INF"]);
    const none = await call("STREAM.NAMES", "stream_names_response", { subject: "zzz" });
    expect(none).toMatchObject({ total: 0, streams: null });
    const list = await call("STREAM.LIST", "stream_list_response", { offset: 1 });
    expect(list.limit).toBe(256);
    expect((list.streams as unknown[]).length).toBe((list.total as number) - 1);
    const bad = await call("STREAM.NAMES", "stream_names_response", "{x");
    expect(errorOf(bad).err_code).toBe(10025);
  });

  it("MSG.GET by seq, last_by_subj, next_by_subj; headers and data base64; errors", async () => {
    await call("STREAM.CREATE.G", "stream_create_response", { name: "G", subjects: ["g.>"] });
    await publish(nc, "g.a", "hello", { "X-Foo": "bar" });
    await publish(nc, "g.b", "world");
    await publish(nc, "g.a", "again");
    const one = await call("STREAM.MSG.GET.G", "stream_msg_get_response", { seq: 1 });
    const msg = one.message as Record<string, string | number>;
    expect(msg.subject).toBe("g.a");
    expect(Buffer.from(msg.data as string, "base64").toString()).toBe("hello");
    expect(Buffer.from(msg.hdrs as string, "base64").toString()).toBe("NATS/1.0\r\nX-Foo: bar\r\n\r\n");
    expect(msg.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(((await call("STREAM.MSG.GET.G", "stream_msg_get_response", { last_by_subj: "g.a" })).message as Record<string, unknown>).seq).toBe(3);
    expect(((await call("STREAM.MSG.GET.G", "stream_msg_get_response", { next_by_subj: "g.a", seq: 2 })).message as Record<string, unknown>).seq).toBe(3);
    expect(errorOf(await call("STREAM.MSG.GET.G", "stream_msg_get_response", { seq: 99 }))).toEqual({ code: 404, err_code: 10037, description: "no message found" });
    expect(errorOf(await call("STREAM.MSG.GET.G", "stream_msg_get_response", {})).err_code).toBe(10003);
    expect(errorOf(await call("STREAM.MSG.GET.G", "stream_msg_get_response", { seq: 1, last_by_subj: "g.a" })).err_code).toBe(10003);
  });

  it("MSG.DELETE, then deleting it again is 10043; deny_delete refuses", async () => {
    await call("STREAM.CREATE.D", "stream_create_response", { name: "D", subjects: ["d.>"] });
    await publish(nc, "d.a", "x");
    await publish(nc, "d.a", "y");
    expect((await call("STREAM.MSG.DELETE.D", "stream_msg_delete_response", { seq: 1 })).success).toBe(true);
    expect(errorOf(await call("STREAM.MSG.DELETE.D", "stream_msg_delete_response", { seq: 1 }))).toEqual({
      code: 400,
      err_code: 10043,
      description: "sequence 1 not found",
    });
    expect((await call("STREAM.MSG.DELETE.D", "stream_msg_delete_response", { seq: 2, no_erase: true })).success).toBe(true);
    await call("STREAM.CREATE.DD", "stream_create_response", { name: "DD", subjects: ["dd"], deny_delete: true, deny_purge: true });
    expect(errorOf(await call("STREAM.MSG.DELETE.DD", "stream_msg_delete_response", { seq: 1 }))).toEqual({
      code: 500,
      err_code: 10057,
      description: "message delete not permitted",
    });
    expect(errorOf(await call("STREAM.PURGE.DD", "stream_purge_response"))).toEqual({ code: 500, err_code: 10110, description: "stream purge not permitted" });
  });

  it("PURGE: all, filter, seq, keep, filter+keep; seq with keep is a bad request", async () => {
    await call("STREAM.CREATE.P", "stream_create_response", { name: "P", subjects: ["p.>"] });
    for (const s of ["p.a", "p.a", "p.b", "p.a", "p.b", "p.c", "p.a", "p.b", "p.c", "p.a"]) await publish(nc, s, "v");
    expect((await call("STREAM.PURGE.P", "stream_purge_response", { filter: "p.a", keep: 2 })).purged).toBe(3);
    expect((await call("STREAM.PURGE.P", "stream_purge_response", { seq: 6 })).purged).toBe(2);
    expect((await call("STREAM.PURGE.P", "stream_purge_response", { filter: "p.b" })).purged).toBe(1);
    expect(errorOf(await call("STREAM.PURGE.P", "stream_purge_response", { seq: 5, keep: 1 })).err_code).toBe(10003);
    const all = await call("STREAM.PURGE.P", "stream_purge_response");
    expect(all).toMatchObject({ success: true });
    const info = await call("STREAM.INFO.P", "stream_info_response");
    expect(info.state).toMatchObject({ messages: 0, first_seq: 11, last_seq: 10 });
  });

  it("DELETE: success, missing stream, and a body is refused", async () => {
    await call("STREAM.CREATE.DEL", "stream_create_response", { name: "DEL", subjects: ["del"] });
    expect(errorOf(await call("STREAM.DELETE.DEL", "stream_delete_response", { x: 1 })).err_code).toBe(10038);
    expect((await call("STREAM.DELETE.DEL", "stream_delete_response")).success).toBe(true);
    expect(errorOf(await call("STREAM.DELETE.DEL", "stream_delete_response")).err_code).toBe(10059);
  });

  it("unknown API subjects get no answer, but no 503 either: the API responds to all of $JS.API.>", async () => {
    // Silence can only be shown by waiting; a short wait is enough to tell a timeout from an immediate 503.
    await expect(nc.request("$JS.API.STREAM.NOPE.X", "", { timeout: 250 })).rejects.toMatchObject({ code: "TIMEOUT" });
    await expect(nc.request("$JS.API.CONSUMER.MSG.NEXT.NOPE.C", "", { timeout: 250 })).rejects.toMatchObject({ code: "TIMEOUT" });
  });
});

import { type NatsConnection, connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, publish, storeDir } from "./helpers/jetstream.js";
import { validateResponse } from "./helpers/schemas.js";
import { type Target, startConfigured } from "./helpers/target.js";
import { waitUntil } from "./helpers/wait.js";

/**
 * Sources and mirrors within one account, as nats-server 2.9.10 runs them: a mirror keeps the origin's
 * sequences, times and headers; a source adds `Nats-Stream-Source: <stream> <seq>` and stores under its
 * own sequences; both follow live messages and backlogs, filtered or not, and survive a restart.
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

async function create(cfg: Record<string, unknown>): Promise<Record<string, any>> {
  const r = await api(nc, `STREAM.CREATE.${String(cfg.name)}`, cfg);
  validateResponse("stream_create_response", r);
  return r;
}

async function info(name: string): Promise<Record<string, any>> {
  const r = await api(nc, `STREAM.INFO.${name}`);
  validateResponse("stream_info_response", r);
  return r;
}

async function msg(stream: string, seq: number): Promise<{ subject: string; seq: number; hdrs?: string; data?: string; time: string }> {
  return (await api(nc, `STREAM.MSG.GET.${stream}`, { seq })).message as never;
}

const hdrs = (m: { hdrs?: string }) => (m.hdrs === undefined ? undefined : Buffer.from(m.hdrs, "base64").toString());

describe("mirrors", () => {
  it("copy the origin with its sequences, times and headers, backlog then live", async () => {
    expect((await create({ name: "O", subjects: ["o.>"] })).error).toBeUndefined();
    await publish(nc, "o.1", "v1", { "X-A": "1" });
    await publish(nc, "o.2", "v2");
    await publish(nc, "o.3", "v3");
    // A gap in the origin: the mirror skips the sequence too.
    await api(nc, "STREAM.MSG.DELETE.O", { seq: 2 });
    const r = await create({ name: "M", mirror: { name: "O" } });
    expect(r.error).toBeUndefined();
    expect(r.config.subjects).toBeUndefined();
    await waitUntil(async () => (await info("M")).state.last_seq === 3, 10_000, "mirror backlog");
    const m1 = await msg("M", 1);
    const o1 = await msg("O", 1);
    expect(m1).toEqual(o1);
    expect(hdrs(m1)).toContain("X-A: 1");
    expect((await info("M")).state).toMatchObject({ messages: 2, first_seq: 1, last_seq: 3, num_deleted: 1 });
    await publish(nc, "o.4", "v4");
    await waitUntil(async () => (await info("M")).state.last_seq === 4, 10_000, "live message");
    const i = await info("M");
    expect(i.mirror).toMatchObject({ name: "O", lag: 0 });
    expect(i.mirror.active).toBeGreaterThanOrEqual(0);
    expect(i.sources).toBeUndefined();
  });

  it("publishing to a mirror's name gets no responders (it has no subjects)", async () => {
    await expect(nc.request("M", "x", { timeout: 2000 })).rejects.toMatchObject({ code: "503" });
  });

  it("a mirror of a missing stream reports the error, and catches up once the stream exists", async () => {
    expect((await create({ name: "M2", mirror: { name: "LATER" } })).error).toBeUndefined();
    await waitUntil(async () => (await info("M2")).mirror?.error !== undefined, 10_000, "mirror error");
    expect((await info("M2")).mirror).toMatchObject({ name: "LATER", lag: 0, error: { code: 404, err_code: 10059, description: "stream not found" } });
    expect((await create({ name: "LATER", subjects: ["later"] })).error).toBeUndefined();
    await publish(nc, "later", "x");
    await waitUntil(async () => (await info("M2")).state.messages === 1, 15_000, "mirror catches up");
    expect((await info("M2")).mirror.error).toBeUndefined();
  });

  it("consumers, message delete and purge work on a mirror", async () => {
    const c = await api(nc, "CONSUMER.DURABLE.CREATE.M.D", { stream_name: "M", config: { durable_name: "D", ack_policy: "explicit" } });
    expect(c.error).toBeUndefined();
    expect((await api(nc, "STREAM.MSG.DELETE.M", { seq: 1 })).success).toBe(true);
    expect((await api(nc, "STREAM.PURGE.M")).success).toBe(true);
  });

  it("refused: subjects (10034) or sources (10031) beside a mirror", async () => {
    expect((await create({ name: "BADM", subjects: ["x"], mirror: { name: "O" } })).error).toMatchObject({ err_code: 10034 });
    expect((await create({ name: "BADM2", mirror: { name: "O" }, sources: [{ name: "O" }] })).error).toMatchObject({ err_code: 10031 });
  });
});

describe("sources", () => {
  it("copy messages with a Nats-Stream-Source header under their own sequences, from opt_start_seq", async () => {
    expect((await create({ name: "SO", subjects: ["so.>"] })).error).toBeUndefined();
    for (const s of ["so.a", "so.b", "so.c"]) await publish(nc, s, s);
    const r = await create({ name: "SRC", subjects: ["src"], sources: [{ name: "SO", opt_start_seq: 2 }] });
    expect(r.error).toBeUndefined();
    await waitUntil(async () => (await info("SRC")).state.messages === 2, 10_000, "sourced backlog");
    const m = await msg("SRC", 1);
    expect(m.subject).toBe("so.b");
    expect(hdrs(m)).toBe("NATS/1.0\r\nNats-Stream-Source: SO 2\r\n\r\n");
    // Its own subjects still take messages too.
    await publish(nc, "src", "own");
    await publish(nc, "so.d", "live");
    await waitUntil(async () => (await info("SRC")).state.messages === 4, 10_000, "own and live");
    const i = await info("SRC");
    expect(i.sources).toEqual([expect.objectContaining({ name: "SO", lag: 0 })]);
    expect(hdrs(await msg("SRC", 4))).toBe("NATS/1.0\r\nNats-Stream-Source: SO 4\r\n\r\n");
  });

  it("several sources, one filtered, into a stream without subjects", async () => {
    expect((await create({ name: "SA", subjects: ["sa.>"] })).error).toBeUndefined();
    expect((await create({ name: "SB", subjects: ["sb.>"] })).error).toBeUndefined();
    await publish(nc, "sa.1", "a1");
    await publish(nc, "sb.keep", "b1");
    await publish(nc, "sb.drop", "b2");
    expect((await create({ name: "AGG", sources: [{ name: "SA" }, { name: "SB", filter_subject: "sb.keep" }] })).error).toBeUndefined();
    await waitUntil(async () => (await info("AGG")).state.messages === 2, 10_000, "both sources");
    await publish(nc, "sb.keep", "b3");
    await publish(nc, "sa.2", "a2");
    await waitUntil(async () => (await info("AGG")).state.messages === 4, 10_000, "live from both");
    const subjects = (await info("AGG", )).state;
    expect(subjects.messages).toBe(4);
    const all = await Promise.all([1, 2, 3, 4].map((s) => msg("AGG", s)));
    expect(all.map((m) => m.subject).sort()).toEqual(["sa.1", "sa.2", "sb.keep", "sb.keep"]);
    // Sources' direct consumers are not listed on the origin.
    expect((await api(nc, "CONSUMER.NAMES.SB")).consumers).toEqual([]);
  });

  it("a multi-megabyte burst arrives whole", async () => {
    expect((await create({ name: "BIG", subjects: ["big"] })).error).toBeUndefined();
    expect((await create({ name: "BIGCOPY", sources: [{ name: "BIG" }] })).error).toBeUndefined();
    const js = nc.jetstream();
    const payload = new Uint8Array(64 * 1024).fill(7);
    await Promise.all(Array.from({ length: 80 }, () => js.publish("big", payload)));
    await waitUntil(async () => (await info("BIGCOPY")).state.messages === 80, 20_000, "5 MiB sourced");
  });

  it("carry on after a restart without copying twice", async () => {
    await nc.close();
    await srv.close();
    srv = await startConfigured(config);
    nc = await connect({ servers: srv.url });
    await publish(nc, "so.e", "after");
    await publish(nc, "o.5", "after");
    await waitUntil(async () => (await info("SRC")).state.messages === 5, 15_000, "source after restart");
    await waitUntil(async () => (await info("M")).state.last_seq === 5, 15_000, "mirror after restart");
    expect(hdrs(await msg("SRC", 5))).toBe("NATS/1.0\r\nNats-Stream-Source: SO 5\r\n\r\n");
  });
});

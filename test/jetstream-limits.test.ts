import { type NatsConnection, connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, publish, storeDir } from "./helpers/jetstream.js";
import { AGAINST_NATS_SERVER, type Target, startConfigured } from "./helpers/target.js";
import { waitUntil } from "./helpers/wait.js";

/**
 * Resource limits as nats-server 2.9.10 applies them. The server's own (`max_memory_store`,
 * `max_file_store`): a stream's max_bytes must fit what all streams reserve (500 10028 / 10047), and once
 * the server's usage is over the limit, publishes are refused with 503 10023. An account's (`max_mem`,
 * `max_file`): max_bytes reservations as above, and a publish that would take usage past the limit is
 * refused with 400 10002. Sizes: 500 B payloads on a 2-character subject count 518 B in memory, 532 B in
 * a file store.
 */
const PAYLOAD = "x".repeat(500);

async function fillUntilRefused(nc: NatsConnection, subject: string, max: number): Promise<{ stored: number; error: unknown }> {
  for (let i = 0; i < max; i++) {
    const r = await publish(nc, subject, PAYLOAD);
    if (r.error !== undefined) return { stored: i, error: r.error };
  }
  return { stored: max, error: undefined };
}

describe("server limits", () => {
  let srv: Target;
  let nc: NatsConnection;
  beforeAll(async () => {
    srv = await startConfigured(`jetstream { store_dir: "${storeDir()}", max_memory_store: 10000, max_file_store: 20000 }`);
    nc = await connect({ servers: srv.url });
  });
  afterAll(async () => {
    await nc.close();
    await srv.close();
  });

  it("max_bytes beyond the server's limit is refused at create", async () => {
    expect((await api(nc, "STREAM.CREATE.M1", { name: "M1", subjects: ["m1"], storage: "memory", max_bytes: 20000 })).error).toEqual({
      code: 500,
      err_code: 10028,
      description: "insufficient memory resources available",
    });
    expect((await api(nc, "STREAM.CREATE.F1", { name: "F1", subjects: ["f1"], storage: "file", max_bytes: 30000 })).error).toEqual({
      code: 500,
      err_code: 10047,
      description: "insufficient storage resources available",
    });
  });

  it("unbounded streams take messages until the server is over its limit, then 503 10023", async () => {
    expect((await api(nc, "STREAM.CREATE.M2", { name: "M2", subjects: ["m2"], storage: "memory" })).error).toBeUndefined();
    expect((await api(nc, "STREAM.CREATE.F2", { name: "F2", subjects: ["f2"], storage: "file" })).error).toBeUndefined();
    const insufficient = { code: 503, err_code: 10023, description: "insufficient resources" };
    // 20 × 518 = 10360: the message that crosses the limit is taken, the next is not.
    expect(await fillUntilRefused(nc, "m2", 40)).toEqual({ stored: 20, error: insufficient });
    // 38 × 532 = 20216.
    expect(await fillUntilRefused(nc, "f2", 60)).toEqual({ stored: 38, error: insufficient });
    const info = await api(nc, "INFO");
    expect(info).toMatchObject({ memory: 10360, storage: 20216 });
    // Reservations count max_bytes, not usage: a small bounded stream is still created.
    expect((await api(nc, "STREAM.CREATE.M3", { name: "M3", subjects: ["m3"], storage: "memory", max_bytes: 5000 })).error).toBeUndefined();
    // Making room lets publishes in again.
    await api(nc, "STREAM.PURGE.M2");
    expect((await publish(nc, "m2", PAYLOAD)).error).toBeUndefined();
  });
});

describe("account limits", () => {
  let srv: Target;
  let nc: NatsConnection;
  beforeAll(async () => {
    srv = await startConfigured(`
      jetstream { store_dir: "${storeDir()}" }
      accounts { A: { jetstream: { max_mem: 10000, max_file: 20000 }, users: [{ user: a, password: a }] } }
    `);
    nc = await connect({ servers: srv.url, user: "a", pass: "a" });
  });
  afterAll(async () => {
    await nc.close();
    await srv.close();
  });

  it("a publish that would go past the account's limit is refused with 400 10002", async () => {
    expect((await api(nc, "STREAM.CREATE.M2", { name: "M2", subjects: ["m2"], storage: "memory" })).error).toBeUndefined();
    expect((await api(nc, "STREAM.CREATE.F2", { name: "F2", subjects: ["f2"], storage: "file" })).error).toBeUndefined();
    const exceeded = { code: 400, err_code: 10002, description: "resource limits exceeded for account" };
    expect(await fillUntilRefused(nc, "m2", 40)).toEqual({ stored: 19, error: exceeded });
    expect(await fillUntilRefused(nc, "f2", 60)).toEqual({ stored: 37, error: exceeded });
    const info = await api(nc, "INFO");
    expect(info).toMatchObject({ memory: 9842, storage: 19684, limits: { max_memory: 10000, max_storage: 20000 } });
  });

  it("max_bytes reservations are checked against the account's limits", async () => {
    expect((await api(nc, "STREAM.CREATE.M3", { name: "M3", subjects: ["m3"], storage: "memory", max_bytes: 5000 })).error).toBeUndefined();
    expect((await api(nc, "STREAM.CREATE.M4", { name: "M4", subjects: ["m4"], storage: "memory", max_bytes: 6000 })).error).toMatchObject({ err_code: 10028 });
    expect((await api(nc, "STREAM.UPDATE.M3", { name: "M3", subjects: ["m3"], storage: "memory", max_bytes: 10000 })).error).toBeUndefined();
  });
});

/** tsnats only: the server's limits hold across accounts that live in different worker-thread shards. */
describe.skipIf(AGAINST_NATS_SERVER)("server limits across shards", () => {
  let srv: Target;
  beforeAll(async () => {
    srv = await startConfigured(
      `
      jetstream { store_dir: "${storeDir()}", max_memory_store: 10000 }
      accounts {
        A: { jetstream: enabled, users: [{ user: a, password: a }] }
        B: { jetstream: enabled, users: [{ user: b, password: b }] }
      }
    `,
      { shards: { count: 2, pin: { A: 0, B: 1 } } },
    );
  });
  afterAll(() => srv.close());

  it("what one shard's account stores counts against another's reservations and publishes", async () => {
    const a = await connect({ servers: srv.url, user: "a", pass: "a" });
    const b = await connect({ servers: srv.url, user: "b", pass: "b" });
    expect((await api(a, "STREAM.CREATE.RA", { name: "RA", subjects: ["ra"], storage: "memory", max_bytes: 6000 })).error).toBeUndefined();
    // Shards learn each other's figures a batch later: B's shard refuses once it has heard of A's stream.
    let attempt = 0;
    await waitUntil(async () => {
      const name = `RB${++attempt}`;
      const r = await api(b, `STREAM.CREATE.${name}`, { name, subjects: [name.toLowerCase()], storage: "memory", max_bytes: 6000 });
      if (r.error === undefined) await api(b, `STREAM.DELETE.${name}`);
      return (r.error as { err_code?: number } | undefined)?.err_code === 10028;
    }, 10_000, "B's shard to count A's reservation");
    expect((await api(b, "STREAM.CREATE.UB", { name: "UB", subjects: ["ub"], storage: "memory" })).error).toBeUndefined();
    // A stores 11 × 518 B (its stream keeps the newest within its 6000 B: 5698 B).
    for (let i = 0; i < 11; i++) expect((await publish(a, "ra", PAYLOAD)).error).toBeUndefined();
    const { stored } = await fillUntilRefused(b, "ub", 40);
    // B may only take what is left of the server's 10000 B (one batch of slack at most).
    const aUsed = (await api(a, "INFO")).memory as number;
    expect(aUsed).toBeGreaterThan(5000);
    expect(aUsed + stored * 518).toBeLessThanOrEqual(10000 + 518 * 2);
    expect(stored).toBeLessThan(40);
    await a.close();
    await b.close();
  });
});

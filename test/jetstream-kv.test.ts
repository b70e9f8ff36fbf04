import { randomBytes } from "node:crypto";
import { type JetStreamClient, type KV, type KvEntry, KvWatchInclude, type NatsConnection, type ObjectInfo, StorageType, connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, storeDir } from "./helpers/jetstream.js";
import { type Target, startConfigured } from "./helpers/target.js";
import { waitUntil } from "./helpers/wait.js";

/**
 * Key-Value and Object Store exactly as the `nats` 2.29.3 client drives them through `js.views.kv()` and
 * `js.views.os()`: streams `KV_<bucket>` / `OBJ_<bucket>`, direct gets, expected-last-subject-sequence
 * headers, rollups, and ordered push consumers for keys/history/watch/list/get. Every expectation here was
 * checked against nats-server 2.9.10 (TSNATS_TEST_TARGET=nats-server).
 */
const config = (dir: string) => `jetstream { store_dir: "${dir}" }\n`;

let srv: Target;
let nc: NatsConnection;
let js: JetStreamClient;

beforeAll(async () => {
  srv = await startConfigured(config(storeDir()));
  nc = await connect({ servers: srv.url, reconnect: false });
  js = nc.jetstream();
});
afterAll(async () => {
  await nc?.close();
  await srv?.close();
});

const text = (e: KvEntry | null) => (e === null ? null : new TextDecoder().decode(e.value));

/** An error the client raised, with the JetStream API error it carried (if any). */
async function failure(p: Promise<unknown>): Promise<{ message: string; code?: string; api_error?: { code: number; err_code: number; description: string } }> {
  try {
    await p;
  } catch (err) {
    return err as { message: string };
  }
  throw new Error("expected the operation to fail");
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

describe("Key-Value buckets", () => {
  it("creates the backing stream with the client's defaults", async () => {
    const kv = await js.views.kv("DEFS");
    const info = await api(nc, "STREAM.INFO.KV_DEFS");
    expect(info.error).toBeUndefined();
    expect(info.config).toMatchObject({
      name: "KV_DEFS",
      subjects: ["$KV.DEFS.>"],
      retention: "limits",
      max_msgs_per_subject: 1,
      max_bytes: -1,
      max_msg_size: -1,
      max_age: 0,
      storage: "file",
      discard: "new",
      allow_direct: true,
      allow_rollup_hdrs: true,
      num_replicas: 1,
    });
    const st = await kv.status();
    expect(st.bucket).toBe("DEFS");
    expect(st.values).toBe(0);
    expect(st.history).toBe(1);
    expect(st.ttl).toBe(0);
    expect(st.storage).toBe(StorageType.File);
    // Opening an existing bucket binds to it rather than re-creating it.
    await kv.put("k", "v");
    const again = await js.views.kv("DEFS");
    expect(text(await again.get("k"))).toBe("v");
  });

  it("creates with history, ttl, max bucket size, max value size, memory storage and a description", async () => {
    const kv = await js.views.kv("OPTS", {
      history: 5,
      ttl: 60_000,
      maxBucketSize: 1000,
      maxValueSize: 300,
      storage: StorageType.Memory,
      description: "options bucket",
    });
    const info = await api(nc, "STREAM.INFO.KV_OPTS");
    expect(info.config).toMatchObject({
      name: "KV_OPTS",
      description: "options bucket",
      max_msgs_per_subject: 5,
      max_age: 60_000_000_000,
      // nats-server shortens the duplicate window to max_age.
      duplicate_window: 60_000_000_000,
      max_bytes: 1000,
      max_msg_size: 300,
      storage: "memory",
      discard: "new",
    });
    const st = await kv.status();
    expect(st.history).toBe(5);
    expect(st.ttl).toBe(60_000);
    expect(st.storage).toBe(StorageType.Memory);
    expect(st.description).toBe("options bucket");
    expect(st.maxBucketSize).toBe(1000);
    expect(st.maxValueSize).toBe(300);

    // max_value_size: a value bigger than that is refused (400/10054).
    const big = await failure(kv.put("big", new Uint8Array(400)));
    expect(big.api_error).toEqual({ code: 400, err_code: 10054, description: "message size exceeds maximum allowed" });
    // max bucket size with discard new: a put that would reach max_bytes is refused (503/10077).
    // Memory store: each value takes 16 + len("$KV.OPTS.x") + 290 = 316 bytes; 3 * 316 + 290 >= 1000.
    await kv.put("a", new Uint8Array(290));
    await kv.put("b", new Uint8Array(290));
    await kv.put("c", new Uint8Array(290));
    expect((await kv.status()).size).toBe(948);
    const full = await failure(kv.put("d", new Uint8Array(290)));
    expect(full.api_error).toEqual({ code: 503, err_code: 10077, description: "maximum bytes exceeded" });
    expect(await kv.get("d")).toBeNull();
    expect((await kv.status()).values).toBe(3);
  });

  it("put / get / create / update with revisions", async () => {
    const kv = await js.views.kv("OPS", { history: 10 });
    const r1 = await kv.put("color", "red");
    expect(r1).toBe(1);
    const e = await kv.get("color");
    expect(e).not.toBeNull();
    expect(e).toMatchObject({ bucket: "OPS", key: "color", revision: 1, operation: "PUT", length: 3 });
    expect(text(e)).toBe("red");
    expect(e!.created).toBeInstanceOf(Date);
    expect(await kv.get("missing")).toBeNull();

    // create: only when the key does not exist.
    expect(await kv.create("shape", "circle")).toBe(2);
    const exists = await failure(kv.create("color", "blue"));
    expect(exists.api_error).toEqual({ code: 400, err_code: 10071, description: "wrong last sequence: 1" });
    expect(text(await kv.get("color"))).toBe("red");

    // update: only from the current revision.
    expect(await kv.update("color", "green", 1)).toBe(3);
    const stale = await failure(kv.update("color", "blue", 1));
    expect(stale.api_error).toEqual({ code: 400, err_code: 10071, description: "wrong last sequence: 3" });
    expect(text(await kv.get("color"))).toBe("green");

    // A specific revision can still be read while history keeps it.
    expect(text(await kv.get("color", { revision: 1 }))).toBe("red");
    // Keys with the characters the client allows.
    await kv.put("a-b_c/d=e.f", "dotted");
    expect(text(await kv.get("a-b_c/d=e.f"))).toBe("dotted");
    await kv.put("json", JSON.stringify({ n: 1 }));
    expect((await kv.get("json"))!.json()).toEqual({ n: 1 });
  });

  it("delete and purge leave markers: get returns the marker entry; create works again after either", async () => {
    const kv = await js.views.kv("DEL", { history: 10 });
    await kv.put("k", "1");
    await kv.put("k", "2");
    await kv.delete("k");
    const del = await kv.get("k");
    expect(del).toMatchObject({ key: "k", revision: 3, operation: "DEL", length: 0 });
    expect(del!.value.length).toBe(0);
    // The history keeps the values before the delete marker.
    expect((await collect(await kv.history({ key: "k" }))).map((h) => [h.revision, h.operation])).toEqual([
      [1, "PUT"],
      [2, "PUT"],
      [3, "DEL"],
    ]);
    // create over a deleted key succeeds (the client falls back to update from the marker's revision).
    expect(await kv.create("k", "3")).toBe(4);
    expect(text(await kv.get("k"))).toBe("3");

    // purge rolls up the key's history into just the marker.
    await kv.purge("k");
    const purged = await kv.get("k");
    expect(purged).toMatchObject({ key: "k", revision: 5, operation: "PURGE", length: 0 });
    const hist = await collect(await kv.history({ key: "k" }));
    expect(hist.map((h) => [h.revision, h.operation])).toEqual([[5, "PURGE"]]);
    const state = (await api(nc, "STREAM.INFO.KV_DEL")).state as Record<string, unknown>;
    expect(state).toMatchObject({ messages: 1, first_seq: 5, last_seq: 5 });
    expect(await kv.create("k", "4")).toBe(6);

    // Deleting a key that never existed still writes a marker.
    await kv.delete("never");
    expect((await kv.get("never"))!.operation).toBe("DEL");
  });

  it("history keeps as many values per key as configured", async () => {
    const kv = await js.views.kv("HIST", { history: 3 });
    for (let i = 1; i <= 5; i++) await kv.put("k", `v${i}`);
    await kv.put("other", "x");
    const h = await collect(await kv.history({ key: "k" }));
    expect(h.map((e) => [e.revision, text(e)])).toEqual([
      [3, "v3"],
      [4, "v4"],
      [5, "v5"],
    ]);
    // The whole bucket's history, in stream order.
    const all = await collect(await kv.history());
    expect(all.map((e) => `${e.key}@${e.revision}`)).toEqual(["k@3", "k@4", "k@5", "other@6"]);
    const st = await kv.status();
    expect(st.values).toBe(4);
    // An empty history ends right away.
    expect(await collect(await kv.history({ key: "nothing" }))).toEqual([]);
  });

  it("keys() lists live keys only, with filters", async () => {
    const kv = await js.views.kv("KEYS");
    expect(await collect(await kv.keys())).toEqual([]);
    await kv.put("a.1", "x");
    await kv.put("a.2", "x");
    await kv.put("b.1", "x");
    await kv.put("c", "x");
    await kv.put("a.1", "y");
    await kv.delete("b.1");
    await kv.put("d", "x");
    await kv.purge("d");
    expect((await collect(await kv.keys())).sort()).toEqual(["a.1", "a.2", "c"]);
    expect((await collect(await kv.keys("a.*"))).sort()).toEqual(["a.1", "a.2"]);
    expect(await collect(await kv.keys("b.>"))).toEqual([]);
  });

  it("status() reports the bucket's values and size", async () => {
    const kv = await js.views.kv("STAT", { history: 2 });
    await kv.put("a", "1");
    await kv.put("a", "2");
    await kv.put("a", "3");
    await kv.put("b", "1");
    const st = await kv.status();
    expect(st.values).toBe(3);
    // file store: 30 + len(subject) + len(payload) per message
    expect(st.size).toBe(3 * (30 + "$KV.STAT.a".length + 1));
    expect(st.streamInfo.config.name).toBe("KV_STAT");
    expect(st.streamInfo.state).toMatchObject({ messages: 3, first_seq: 2, last_seq: 4, num_subjects: 2 });
  });

  it("watch(): initial values, then live puts and deletes", async () => {
    const kv = await js.views.kv("WATCH");
    await kv.put("a", "1");
    await kv.put("b", "1");
    await kv.put("a", "2");
    await kv.delete("gone");

    const seen: KvEntry[] = [];
    let initialized = false;
    const w = await kv.watch({ initializedFn: () => (initialized = true) });
    const done = (async () => {
      for await (const e of w) seen.push(e);
    })();
    await waitUntil(() => initialized, 5000, "watch initialized");
    // The last value of each key, delete markers included, in stream order.
    expect(seen.map((e) => [e.key, e.operation, text(e), e.revision])).toEqual([
      ["b", "PUT", "1", 2],
      ["a", "PUT", "2", 3],
      ["gone", "DEL", "", 4],
    ]);

    await kv.put("c", "new");
    await kv.delete("a");
    await kv.purge("b");
    await waitUntil(() => seen.length === 6, 5000, "live watch updates");
    expect(seen.slice(3).map((e) => [e.key, e.operation, text(e), e.revision])).toEqual([
      ["c", "PUT", "new", 5],
      ["a", "DEL", "", 6],
      ["b", "PURGE", "", 7],
    ]);

    // A filtered watch sees only its keys; an empty bucket initializes at once.
    const other = await js.views.kv("WATCH2");
    let init2 = false;
    const filtered: KvEntry[] = [];
    const w2 = await other.watch({ key: "x.*", initializedFn: () => (init2 = true) });
    const done2 = (async () => {
      for await (const e of w2) filtered.push(e);
    })();
    await waitUntil(() => init2, 5000, "empty watch initialized");
    await other.put("y.1", "no");
    await other.put("x.1", "yes");
    await waitUntil(() => filtered.length === 1, 5000, "filtered update");
    expect(filtered.map((e) => [e.key, text(e)])).toEqual([["x.1", "yes"]]);

    w.stop();
    w2.stop();
    await done;
    await done2;
  });

  it("watch() variants: all history, updates only, resume from a revision", async () => {
    const kv = await js.views.kv("WATCH3", { history: 5 });
    await kv.put("a", "1");
    await kv.put("a", "2");
    await kv.put("b", "1");
    const watchOf = async (opts: Parameters<KV["watch"]>[0]) => {
      const seen: KvEntry[] = [];
      let initialized = false;
      const w = await kv.watch({ ...opts, initializedFn: () => (initialized = true) });
      const done = (async () => {
        for await (const e of w) seen.push(e);
      })();
      return { seen, initialized: () => initialized, stop: async () => (w.stop(), await done) };
    };
    const all = await watchOf({ include: KvWatchInclude.AllHistory });
    const updates = await watchOf({ include: KvWatchInclude.UpdatesOnly });
    const resumed = await watchOf({ resumeFromRevision: 2 });
    await waitUntil(() => all.initialized() && resumed.initialized(), 5000, "watchers initialized");
    expect(all.seen.map((e) => `${e.key}=${text(e)}@${e.revision}`)).toEqual(["a=1@1", "a=2@2", "b=1@3"]);
    expect(resumed.seen.map((e) => `${e.key}=${text(e)}@${e.revision}`)).toEqual(["a=2@2", "b=1@3"]);
    await kv.put("c", "1");
    await waitUntil(() => all.seen.length === 4 && updates.seen.length === 1 && resumed.seen.length === 3, 5000, "live update on every watcher");
    expect(updates.seen.map((e) => `${e.key}=${text(e)}@${e.revision}`)).toEqual(["c=1@4"]);
    for (const w of [all, updates, resumed]) await w.stop();
  });

  it("bucket TTL: values expire", async () => {
    const kv = await js.views.kv("TTL", { ttl: 500 });
    await kv.put("short", "lived");
    expect(text(await kv.get("short"))).toBe("lived");
    await waitUntil(async () => (await kv.get("short")) === null, 5000, "key to expire");
    await waitUntil(async () => (await kv.status()).values === 0, 5000, "bucket to empty");
    // The bucket still works after its values expired.
    await kv.put("short", "again");
    expect(text(await kv.get("short"))).toBe("again");
  });

  it("values of a few hundred KiB round-trip byte-exact", async () => {
    const kv = await js.views.kv("BIGVAL", { history: 2 });
    const v1 = new Uint8Array(randomBytes(300 * 1024));
    const v2 = new Uint8Array(randomBytes(700 * 1024));
    await kv.put("blob", v1);
    expect(Buffer.from((await kv.get("blob"))!.value).equals(Buffer.from(v1))).toBe(true);
    const rev = await kv.put("blob", v2);
    const e = await kv.get("blob");
    expect(e!.revision).toBe(rev);
    expect(e!.length).toBe(v2.length);
    expect(Buffer.from(e!.value).equals(Buffer.from(v2))).toBe(true);
    expect(Buffer.from((await kv.get("blob", { revision: 1 }))!.value).equals(Buffer.from(v1))).toBe(true);
  });

  it("destroy removes the bucket", async () => {
    const kv = await js.views.kv("GONE");
    await kv.put("k", "v");
    expect(await kv.destroy()).toBe(true);
    expect((await api(nc, "STREAM.INFO.KV_GONE")).error).toEqual({ code: 404, err_code: 10059, description: "stream not found" });
    await expect(kv.status()).rejects.toThrow("stream not found");
    // Opening it again creates a fresh, empty bucket.
    const fresh = await js.views.kv("GONE");
    expect(await fresh.get("k")).toBeNull();
    expect((await fresh.status()).values).toBe(0);
  });
});

describe("a KV bucket across a server restart", () => {
  it("keeps values, history, markers and revisions", async () => {
    // The restart is the same config (same store dir) started again; for nats-server that is a new process
    // on a new port, which works the same way.
    const dir = storeDir();
    let s = await startConfigured(config(dir));
    let c = await connect({ servers: s.url, reconnect: false });
    let kv: KV = await c.jetstream().views.kv("PERSIST", { history: 3 });
    await kv.put("a", "1");
    await kv.put("a", "2");
    await kv.put("b", "1");
    await kv.delete("b");
    await kv.put("c", new Uint8Array(200 * 1024).fill(7));
    await c.close();
    await s.close();

    s = await startConfigured(config(dir));
    c = await connect({ servers: s.url, reconnect: false });
    try {
      kv = await c.jetstream().views.kv("PERSIST", { history: 3 });
      expect(text(await kv.get("a"))).toBe("2");
      expect((await kv.get("b"))!.operation).toBe("DEL");
      const cv = (await kv.get("c"))!;
      expect(cv.length).toBe(200 * 1024);
      expect(cv.value.every((x) => x === 7)).toBe(true);
      expect((await collect(await kv.history({ key: "a" }))).map((e) => text(e))).toEqual(["1", "2"]);
      expect((await collect(await kv.keys())).sort()).toEqual(["a", "c"]);
      const st = await kv.status();
      expect(st.history).toBe(3);
      expect(st.values).toBe(5);
      // Revisions continue, and expected-revision checks use the restored state.
      expect(await kv.update("a", "3", 2)).toBe(6);
      expect((await failure(kv.create("a", "x"))).api_error?.err_code).toBe(10071);
    } finally {
      await c.close();
      await s.close();
    }
  });
});

describe("Object Store", () => {
  const MiB = 1024 * 1024;

  /** A ReadableStream that yields `data` in uneven pieces, like a file being read. */
  function streamOf(data: Uint8Array, piece = 100_000): ReadableStream<Uint8Array> {
    let off = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (off >= data.length) {
          controller.close();
          return;
        }
        controller.enqueue(data.subarray(off, off + piece));
        off += piece;
      },
    });
  }

  async function readAll(rs: ReadableStream<Uint8Array>): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    const reader = rs.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(parts);
      parts.push(value);
    }
  }

  it("creates the backing stream", async () => {
    const os = await js.views.os("CFG");
    const info = await api(nc, "STREAM.INFO.OBJ_CFG");
    expect(info.config).toMatchObject({
      name: "OBJ_CFG",
      subjects: ["$O.CFG.C.>", "$O.CFG.M.>"],
      discard: "new",
      allow_direct: true,
      allow_rollup_hdrs: true,
      max_age: 0,
      storage: "file",
    });
    const st = await os.status();
    expect(st.bucket).toBe("CFG");
    expect(st.size).toBe(0);
    expect(st.sealed).toBe(false);
  });

  it("a 5 MiB object from a ReadableStream comes back byte-exact, digest verified", async () => {
    const os = await js.views.os("BIG");
    const data = new Uint8Array(randomBytes(5 * MiB));
    const put = await os.put({ name: "five.bin", description: "five mebibytes" }, streamOf(data));
    expect(put).toMatchObject({ bucket: "BIG", name: "five.bin", size: 5 * MiB, chunks: 40, deleted: false, description: "five mebibytes" });
    expect(put.digest).toMatch(/^SHA-256=/);

    const info = await os.info("five.bin");
    expect(info).toMatchObject({ bucket: "BIG", name: "five.bin", size: 5 * MiB, chunks: 40, deleted: false, digest: put.digest, nuid: put.nuid });
    expect(info!.revision).toBe(41);

    const r = await os.get("five.bin");
    expect(r).not.toBeNull();
    const [back, err] = await Promise.all([readAll(r!.data), r!.error]);
    expect(err).toBeFalsy();
    expect(back.length).toBe(data.length);
    expect(back.equals(Buffer.from(data))).toBe(true);

    // getBlob also checks the digest (it rejects on a mismatch).
    const blob = await os.getBlob("five.bin");
    expect(Buffer.from(blob!).equals(Buffer.from(data))).toBe(true);

    const st = await os.status();
    expect(st.streamInfo.state).toMatchObject({ messages: 41, first_seq: 1, last_seq: 41 });
    expect(st.size).toBeGreaterThan(5 * MiB);
    expect(await os.get("nope")).toBeNull();
    expect(await os.info("nope")).toBeNull();
  });

  it("putBlob / list / a second put under the same name replaces the first / delete", async () => {
    const os = await js.views.os("LIST");
    const a1 = new Uint8Array(randomBytes(300_000));
    const b = new Uint8Array(randomBytes(1000));
    const first = await os.putBlob({ name: "a" }, a1);
    expect(first.chunks).toBe(3);
    await os.putBlob({ name: "b" }, b);
    await os.putBlob({ name: "empty" }, new Uint8Array(0));
    expect((await os.list()).map((i) => [i.name, i.size]).sort()).toEqual([
      ["a", 300_000],
      ["b", 1000],
      ["empty", 0],
    ]);
    expect((await os.getBlob("empty"))!.length).toBe(0);

    // Replace "a": the new data is served and the old chunks are purged.
    const a2 = new Uint8Array(randomBytes(200_000));
    const second = await os.putBlob({ name: "a" }, a2);
    expect(second.nuid).not.toBe(first.nuid);
    expect(Buffer.from((await os.getBlob("a"))!).equals(Buffer.from(a2))).toBe(true);
    expect((await os.info("a"))!.size).toBe(200_000);
    const chunksOf = async (nuid: string) =>
      ((await api(nc, "STREAM.INFO.OBJ_LIST", { subjects_filter: `$O.LIST.C.${nuid}` })).state as { subjects?: Record<string, number> }).subjects;
    expect(await chunksOf(first.nuid)).toBeUndefined();
    expect(await chunksOf(second.nuid)).toEqual({ [`$O.LIST.C.${second.nuid}`]: 2 });
    // 2 chunks of a, 1 of b, 0 of empty, and 3 meta messages
    expect(((await os.status()).streamInfo.state as { messages: number }).messages).toBe(6);
    expect((await os.list()).map((i) => i.name).sort()).toEqual(["a", "b", "empty"]);

    // delete: the meta becomes a deleted marker and the chunks are purged.
    const purge = await os.delete("b");
    expect(purge).toMatchObject({ success: true, purged: 1 });
    expect(await os.get("b")).toBeNull();
    expect(await os.getBlob("b")).toBeNull();
    expect(await os.info("b")).toMatchObject({ name: "b", deleted: true, size: 0, chunks: 0, digest: "" });
    expect((await os.list()).map((i) => i.name).sort()).toEqual(["a", "empty"]);
    expect(await os.delete("never-there")).toEqual({ purged: 0, success: false });
  });

  it("links resolve to their target", async () => {
    const os = await js.views.os("LINKS");
    const data = new Uint8Array(randomBytes(150_000));
    const target = await os.putBlob({ name: "target" }, data);
    const link = await os.link("alias", target);
    expect(link.options?.link).toEqual({ bucket: "LINKS", name: "target" });
    expect(Buffer.from((await os.getBlob("alias"))!).equals(Buffer.from(data))).toBe(true);
    // A link to a link, and a link over an existing object, are refused by the client.
    await expect(os.link("alias2", (await os.info("alias"))!)).rejects.toThrow("src object is a link");
    await expect(os.link("target", target)).rejects.toThrow("an object already exists with that name");
    // A link to an object in another store.
    const other = await js.views.os("LINKS2");
    await other.link("remote", target);
    expect(Buffer.from((await other.getBlob("remote"))!).equals(Buffer.from(data))).toBe(true);
  });

  it("watch() reports new puts and deletes", async () => {
    const os = await js.views.os("WATCHOS");
    await os.putBlob({ name: "before" }, new Uint8Array([1]));
    const seen: (ObjectInfo | null)[] = [];
    const w = await os.watch();
    const done = (async () => {
      for await (const i of w) seen.push(i);
    })();
    await os.putBlob({ name: "x" }, new Uint8Array(randomBytes(140_000)));
    await os.delete("before");
    await waitUntil(() => seen.length >= 2, 5000, "object watch updates");
    expect(seen.map((i) => i && [i.name, i.deleted, i.size, i.chunks])).toEqual([
      ["x", false, 140_000, 2],
      ["before", true, 0, 0],
    ]);

    // includeHistory: the current entries first, then null, then live updates.
    const hist: (ObjectInfo | null)[] = [];
    const w2 = await os.watch({ includeHistory: true });
    const done2 = (async () => {
      for await (const i of w2) hist.push(i);
    })();
    await waitUntil(() => hist.includes(null), 5000, "history watch initialized");
    expect(hist.map((i) => i && [i.name, i.deleted])).toEqual([["x", false], ["before", true], null]);
    await os.putBlob({ name: "y" }, new Uint8Array([2]));
    await waitUntil(() => hist.length === 4, 5000, "live history watch update");
    expect(hist[3]).toMatchObject({ name: "y", size: 1 });

    w.stop();
    w2.stop();
    await done;
    await done2;
  });

  it("status and destroy", async () => {
    const os = await js.views.os("STATOS", { description: "d", storage: StorageType.Memory });
    await os.putBlob({ name: "o" }, new Uint8Array(1000));
    const st = await os.status();
    expect(st).toMatchObject({ bucket: "STATOS", description: "d", storage: StorageType.Memory, sealed: false, replicas: 1 });
    expect(st.streamInfo.state).toMatchObject({ messages: 2 });
    expect(await os.destroy()).toBe(true);
    await expect(os.status()).rejects.toThrow();
  });
});

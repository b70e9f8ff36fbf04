import { connect } from "nats";
import { describe, expect, it } from "vitest";
import { api, publish, storeDir } from "./helpers/jetstream.js";
import { startTestServer } from "./helpers/server.js";

/** What was acknowledged survives a restart; a stream deleted and re-created never mixes its incarnations. */
describe("JetStream persistence across restarts", () => {
  it("keeps streams, messages with headers, sequences and de-duplication", async () => {
    const dir = storeDir();
    let srv = await startTestServer({ jetstream: { enabled: true, storeDir: dir } });
    let nc = await connect({ servers: srv.url });
    await api(nc, "STREAM.CREATE.KEEP", { name: "KEEP", subjects: ["keep.>"], max_msgs_per_subject: 5 });
    for (let i = 1; i <= 20; i++) await publish(nc, `keep.${i % 3}`, `m${i}`, { "Nats-Msg-Id": `id${i}`, "X-N": String(i) });
    await api(nc, "STREAM.MSG.DELETE.KEEP", { seq: 20 });
    const before = await api(nc, "STREAM.INFO.KEEP", { subjects_filter: ">", deleted_details: true });
    await nc.close();
    await srv.close();

    srv = await startTestServer({ jetstream: { enabled: true, storeDir: dir } });
    nc = await connect({ servers: srv.url });
    const after = await api(nc, "STREAM.INFO.KEEP", { subjects_filter: ">", deleted_details: true });
    expect(after.state).toEqual(before.state);
    expect(after.config).toEqual(before.config);
    expect(after.created).toBe(before.created);
    const m = (await api(nc, "STREAM.MSG.GET.KEEP", { seq: 19 })).message as Record<string, string>;
    expect(Buffer.from(m.data, "base64").toString()).toBe("m19");
    expect(Buffer.from(m.hdrs, "base64").toString()).toContain("X-N: 19");
    // Sequences continue; a msg-id seen before the restart is still a duplicate.
    expect(await publish(nc, "keep.x", "next")).toEqual({ stream: "KEEP", seq: 21 });
    expect(await publish(nc, "keep.x", "again", { "Nats-Msg-Id": "id18" })).toEqual({ stream: "KEEP", seq: 18, duplicate: true });
    await nc.close();
    await srv.close();
  });

  it("msg-ids of a long stream are recovered in the background, and a publish right after the restart still sees them", async () => {
    const dir = storeDir();
    let srv = await startTestServer({ jetstream: { enabled: true, storeDir: dir } });
    let nc = await connect({ servers: srv.url });
    await api(nc, "STREAM.CREATE.LONG", { name: "LONG", subjects: ["long.>"] });
    // An old msg-id, then far more messages than one recovery slice reads, the last with a msg-id too.
    await publish(nc, "long.a", "first", { "Nats-Msg-Id": "early" });
    const js = nc.jetstream();
    const acks = [];
    for (let i = 0; i < 12_000; i++) acks.push(js.publish("long.b", "x"));
    await Promise.all(acks);
    await publish(nc, "long.c", "last", { "Nats-Msg-Id": "late" });
    await nc.close();
    await srv.close();

    srv = await startTestServer({ jetstream: { enabled: true, storeDir: dir } });
    nc = await connect({ servers: srv.url });
    expect(await publish(nc, "long.a", "again", { "Nats-Msg-Id": "early" })).toEqual({ stream: "LONG", seq: 1, duplicate: true });
    expect(await publish(nc, "long.c", "again", { "Nats-Msg-Id": "late" })).toEqual({ stream: "LONG", seq: 12_002, duplicate: true });
    // Expected-last-msg-id knows the last message's id at once.
    expect(await publish(nc, "long.d", "new", { "Nats-Msg-Id": "n1", "Nats-Expected-Last-Msg-Id": "late" })).toEqual({ stream: "LONG", seq: 12_003 });
    await nc.close();
    await srv.close();
  });

  it("a stream deleted and re-created under the same name keeps only the new data after a restart", async () => {
    const dir = storeDir();
    let srv = await startTestServer({ jetstream: { enabled: true, storeDir: dir } });
    let nc = await connect({ servers: srv.url });
    await api(nc, "STREAM.CREATE.RE", { name: "RE", subjects: ["re.>"] });
    for (let i = 0; i < 10; i++) await publish(nc, "re.old", `old${i}`);
    await api(nc, "STREAM.DELETE.RE");
    await api(nc, "STREAM.CREATE.RE", { name: "RE", subjects: ["re.>"], max_msgs: 100 });
    await publish(nc, "re.new", "new0");
    await nc.close();
    await srv.close();

    srv = await startTestServer({ jetstream: { enabled: true, storeDir: dir } });
    nc = await connect({ servers: srv.url });
    const info = await api(nc, "STREAM.INFO.RE", { subjects_filter: ">" });
    expect(info.state).toMatchObject({ messages: 1, first_seq: 1, last_seq: 1, subjects: { "re.new": 1 } });
    expect((info.config as Record<string, unknown>).max_msgs).toBe(100);
    await nc.close();
    await srv.close();
  });

  it("memory streams hold messages while the server runs", async () => {
    const srv = await startTestServer({ jetstream: { enabled: true, storeDir: storeDir() } });
    const nc = await connect({ servers: srv.url });
    const r = await api(nc, "STREAM.CREATE.MEM", { name: "MEM", subjects: ["mem"], storage: "memory" });
    expect((r.config as Record<string, unknown>).storage).toBe("memory");
    await publish(nc, "mem", "hello", { "X-A": "b" });
    const info = await api(nc, "STREAM.INFO.MEM");
    // nats-server's memory store counts subject + header block + payload + 16.
    expect(info.state).toMatchObject({ messages: 1, bytes: 3 + 20 + 5 + 16 });
    await nc.close();
    await srv.close();
  });
});

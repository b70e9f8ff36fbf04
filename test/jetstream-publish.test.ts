import { type ServerHandle } from "@tsnats/server";
import { type NatsConnection, connect } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawClient } from "./helpers/raw-client.js";
import { api, publish, storeDir } from "./helpers/jetstream.js";
import { validateResponse } from "./helpers/schemas.js";
import { startTestServer } from "./helpers/server.js";
import { waitUntil } from "./helpers/wait.js";

/** Publishing into streams: acks, headers, limits and policies, as nats-server 2.9.10 does them. */
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

async function create(config: Record<string, unknown>): Promise<void> {
  const r = await api(nc, `STREAM.CREATE.${String(config.name)}`, config);
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
}

async function state(stream: string, body?: unknown): Promise<Record<string, unknown>> {
  return (await api(nc, `STREAM.INFO.${stream}`, body)).state as Record<string, unknown>;
}

describe("acks and headers", () => {
  beforeAll(() => create({ name: "S", subjects: ["s.>"] }));

  it("acks with stream and sequence; the PubAck validates", async () => {
    const ack = await publish(nc, "s.a", "one");
    expect(ack).toEqual({ stream: "S", seq: 1 });
    validateResponse("pub_ack_response", ack);
  });

  it("Nats-Msg-Id de-duplicates within the window, on any subject of the stream", async () => {
    const first = await publish(nc, "s.a", "two", { "Nats-Msg-Id": "id1" });
    expect(await publish(nc, "s.a", "dup", { "Nats-Msg-Id": "id1" })).toEqual({ stream: "S", seq: first.seq, duplicate: true });
    expect(await publish(nc, "s.b", "dup", { "Nats-Msg-Id": "id1" })).toEqual({ stream: "S", seq: first.seq, duplicate: true });
    // Header names are case-sensitive, as nats-server matches them.
    expect((await publish(nc, "s.a", "x", { "nats-msg-id": "id1" })).duplicate).toBeUndefined();
  });

  it("expected-stream, expected-last-sequence, expected-last-subject-sequence, expected-last-msg-id", async () => {
    const { seq } = await publish(nc, "s.e", "x");
    expect(await publish(nc, "s.e", "x", { "Nats-Expected-Stream": "OTHER" })).toEqual({
      error: { code: 400, err_code: 10060, description: "expected stream does not match" },
      stream: "S",
      seq: 0,
    });
    expect((await publish(nc, "s.e", "x", { "Nats-Expected-Last-Sequence": String(seq) })).seq).toBe((seq as number) + 1);
    expect(await publish(nc, "s.e", "x", { "Nats-Expected-Last-Sequence": "1" })).toEqual({
      error: { code: 400, err_code: 10071, description: `wrong last sequence: ${(seq as number) + 1}` },
      stream: "S",
      seq: 0,
    });
    const lastOfSubject = (seq as number) + 1;
    expect((await publish(nc, "s.e", "x", { "Nats-Expected-Last-Subject-Sequence": String(lastOfSubject) })).error).toBeUndefined();
    expect((await publish(nc, "s.new", "x", { "Nats-Expected-Last-Subject-Sequence": "0" })).error).toBeUndefined();
    expect(((await publish(nc, "s.new", "x", { "Nats-Expected-Last-Subject-Sequence": "0" })).error as { err_code: number }).err_code).toBe(10071);
    await publish(nc, "s.e", "x", { "Nats-Msg-Id": "m2" });
    expect((await publish(nc, "s.e", "x", { "Nats-Expected-Last-Msg-Id": "m2" })).error).toBeUndefined();
    expect(await publish(nc, "s.e", "x", { "Nats-Expected-Last-Msg-Id": "m2" })).toEqual({
      error: { code: 400, err_code: 10070, description: "wrong last msg ID: " },
      stream: "S",
      seq: 0,
    });
  });

  it("a publish without reply is stored without an ack; a request to a subject no stream has gets 503", async () => {
    const before = (await state("S")).last_seq as number;
    nc.publish("s.noreply", "x");
    await nc.flush();
    await waitUntil(async () => ((await state("S")).last_seq as number) === before + 1);
    await expect(nc.request("nostream.x", "x", { timeout: 2000 })).rejects.toMatchObject({ code: "503" });
  });

  it("headers are stored with the message", async () => {
    const { seq } = await publish(nc, "s.h", "body", { "X-One": "1", "X-Two": "2" });
    const r = await api(nc, "STREAM.MSG.GET.S", { seq });
    const msg = r.message as Record<string, string>;
    expect(Buffer.from(msg.hdrs, "base64").toString()).toBe("NATS/1.0\r\nX-One: 1\r\nX-Two: 2\r\n\r\n");
  });
});

describe("roll-ups", () => {
  it("refused without allow_rollup_hdrs; 'sub' keeps the last of the subject, 'all' the last of the stream", async () => {
    await create({ name: "NR", subjects: ["nr.>"] });
    expect(await publish(nc, "nr.a", "x", { "Nats-Rollup": "sub" })).toEqual({
      error: { code: 500, err_code: 10111, description: "rollup not permitted" },
      stream: "NR",
      seq: 0,
    });
    await create({ name: "R", subjects: ["r.>"], allow_rollup_hdrs: true });
    for (const s of ["r.a", "r.a", "r.b", "r.a", "r.b"]) await publish(nc, s, "v");
    expect((await publish(nc, "r.a", "rolled", { "Nats-Rollup": "sub" })).seq).toBe(6);
    expect((await state("R", { subjects_filter: ">" })).subjects).toEqual({ "r.a": 1, "r.b": 2 });
    expect((await publish(nc, "r.c", "all", { "Nats-Rollup": "ALL" })).seq).toBe(7);
    expect(await state("R", { subjects_filter: ">" })).toMatchObject({ messages: 1, subjects: { "r.c": 1 } });
  });

  it("writes every PubAck's sequence in full, across each power of ten (to 1000)", async () => {
    await create({ name: "DIGITS", subjects: ["digits"] });
    const c = await RawClient.connect(srv.port);
    c.send(`CONNECT {"verbose":false}\r\nSUB acks.* 1\r\n${Array.from({ length: 1000 }, (_, i) => `PUB digits acks.${i + 1} 1\r\nx\r\n`).join("")}`);
    await c.waitFor('{"stream":"DIGITS", "seq":1000}');
    for (const seq of [1, 9, 10, 11, 99, 100, 101, 999, 1000]) {
      const body = `{"stream":"DIGITS", "seq":${seq}}`;
      expect(c.afterInfo).toContain(`MSG acks.${seq} 1  ${body.length}\r\n${body}\r\n`);
    }
    c.close();
  });

  it("on the wire, PubAcks have an empty reply token (two spaces) and API replies do not, as nats-server writes them", async () => {
    await create({ name: "WIRE", subjects: ["wire"] });
    const c = await RawClient.connect(srv.port);
    c.send('CONNECT {"verbose":false,"headers":true}\r\nSUB inbox 1\r\nHPUB wire inbox 28 29\r\nNATS/1.0\r\nNats-Msg-Id: a\r\n\r\nx\r\n');
    c.send("HPUB wire inbox 28 29\r\nNATS/1.0\r\nNats-Msg-Id: a\r\n\r\nx\r\nPUB $JS.API.STREAM.NAMES inbox 0\r\n\r\n");
    await c.waitFor("stream_names_response");
    expect(c.afterInfo).toContain('MSG inbox 1  26\r\n{"stream":"WIRE", "seq":1}\r\nMSG inbox 1  44\r\n{"stream":"WIRE", "seq":1,"duplicate": true}\r\n');
    expect(c.afterInfo).toMatch(/MSG inbox 1 \d+\r\n\{"type":"io\.nats\.jetstream\.api\.v1\.stream_names_response"/);
    c.close();
  });

  it("PubAcks of one read go each to its own reply subject, to every subscription of it", async () => {
    await create({ name: "ACKS", subjects: ["acks.in"] });
    const c = await RawClient.connect(srv.port);
    const other = await RawClient.connect(srv.port);
    other.send('CONNECT {"verbose":false}\r\nSUB r.b 9\r\n');
    await other.roundTrip();
    // Publishes the shard answers otherwise (an ack subject, a subject no stream has) sit between the
    // stored ones, so each PubAck must name its own publish's reply subject, not a neighbour's.
    c.send('CONNECT {"verbose":false}\r\nSUB r.* 1\r\nSUB r.> 2\r\nSUB plain 3\r\n');
    c.send("PUB acks.in r.a 1\r\na\r\nPUB $JS.ACK.NONE.c.1.1.1.1.0 0\r\n\r\nPUB plain r.p 1\r\np\r\nPUB acks.in r.b 1\r\nb\r\nPUB acks.in r.c 1\r\nc\r\n");
    await c.roundTrip();
    await other.roundTrip();
    const acks = [...c.afterInfo.matchAll(/MSG (r\.\w) (\d)  26\r\n\{"stream":"ACKS", "seq":(\d)\}/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
    expect(acks.sort()).toEqual(["r.a 1 1", "r.a 2 1", "r.b 1 2", "r.b 2 2", "r.c 1 3", "r.c 2 3"]);
    expect(c.afterInfo).toContain("MSG plain 3 r.p 1\r\np\r\n");
    expect(other.afterInfo).toContain('MSG r.b 9  26\r\n{"stream":"ACKS", "seq":2}\r\n');
    c.close();
    other.close();
  });

  it("an invalid roll-up value is neither stored nor answered", async () => {
    await create({ name: "RI", subjects: ["ri"], allow_rollup_hdrs: true });
    const c = await RawClient.connect(srv.port);
    c.send('CONNECT {"verbose":false,"headers":true}\r\nSUB inbox 1\r\nHPUB ri inbox 28 29\r\nNATS/1.0\r\nNats-Rollup: x\r\n\r\nz\r\n');
    await c.roundTrip();
    await c.roundTrip();
    expect(c.afterInfo).not.toContain("MSG inbox");
    expect((await state("RI")).messages).toBe(0);
    c.close();
  });
});

describe("limits", () => {
  it("discard new refuses with nats-server's errors: messages, bytes, per subject", async () => {
    await create({ name: "DN", subjects: ["dn"], max_msgs: 2, discard: "new" });
    await publish(nc, "dn", "0");
    await publish(nc, "dn", "1");
    expect(await publish(nc, "dn", "2")).toEqual({ error: { code: 503, err_code: 10077, description: "maximum messages exceeded" }, stream: "DN", seq: 0 });
    await create({ name: "DNB", subjects: ["dnb"], max_bytes: 100, discard: "new" });
    expect((await publish(nc, "dnb", "x".repeat(40))).seq).toBe(1);
    expect((await publish(nc, "dnb", "x".repeat(40))).error).toEqual({ code: 503, err_code: 10077, description: "maximum bytes exceeded" });
    await create({ name: "PS", subjects: ["ps.>"], max_msgs_per_subject: 1, discard: "new", discard_new_per_subject: true });
    await publish(nc, "ps.a", "v");
    expect((await publish(nc, "ps.a", "v")).error).toEqual({ code: 503, err_code: 10077, description: "maximum messages per subject exceeded" });
    expect((await publish(nc, "ps.b", "v")).seq).toBe(2);
  });

  it("max_msg_size counts headers too", async () => {
    await create({ name: "MS", subjects: ["ms"], max_msg_size: 10 });
    expect((await publish(nc, "ms", "x".repeat(10))).seq).toBe(1);
    expect((await publish(nc, "ms", "x".repeat(11))).error).toEqual({ code: 400, err_code: 10054, description: "message size exceeds maximum allowed" });
    expect(((await publish(nc, "ms", "xxxxx", { A: "bbbbbbbbbbbbbbbb" })).error as { err_code: number }).err_code).toBe(10054);
  });

  it("discard old evicts the oldest: by count, per subject, by bytes", async () => {
    await create({ name: "EV", subjects: ["ev.>"], max_msgs: 3, max_msgs_per_subject: 2 });
    for (const s of ["ev.a", "ev.a", "ev.a", "ev.b", "ev.c", "ev.d"]) await publish(nc, s, "v");
    expect(await state("EV", { subjects_filter: ">" })).toMatchObject({ messages: 3, first_seq: 4, last_seq: 6, subjects: { "ev.b": 1, "ev.c": 1, "ev.d": 1 } });
    await create({ name: "EB", subjects: ["eb"], max_bytes: 100 });
    for (let i = 0; i < 4; i++) await publish(nc, "eb", "x".repeat(40));
    const st = await state("EB");
    expect(st.bytes as number).toBeLessThanOrEqual(100);
    expect(st.last_seq).toBe(4);
  });

  it("max_age removes messages as they expire", async () => {
    await create({ name: "AGE", subjects: ["age"], max_age: 300_000_000 });
    await publish(nc, "age", "x");
    expect((await state("AGE")).messages).toBe(1);
    await waitUntil(async () => (await state("AGE")).messages === 0, 5000, "expiry");
    expect(await state("AGE")).toMatchObject({ first_seq: 2, last_seq: 1 });
  });

  it("a sealed stream takes no messages, no purges, no deletes", async () => {
    await create({ name: "SE", subjects: ["se"] });
    await publish(nc, "se", "x");
    const sealed = await api(nc, "STREAM.UPDATE.SE", { name: "SE", subjects: ["se"], sealed: true });
    expect(sealed.config).toMatchObject({ sealed: true, discard: "new", deny_delete: true, deny_purge: true });
    const sealedErr = { code: 400, err_code: 10109, description: "invalid operation on sealed stream" };
    expect(await publish(nc, "se", "x")).toEqual({ error: sealedErr, stream: "SE", seq: 0 });
    expect((await api(nc, "STREAM.PURGE.SE")).error).toEqual(sealedErr);
    expect((await api(nc, "STREAM.MSG.DELETE.SE", { seq: 1 })).error).toEqual(sealedErr);
    const unseal = await api(nc, "STREAM.UPDATE.SE", { name: "SE", subjects: ["se"], sealed: false });
    expect((unseal.error as { description: string }).description).toBe("stream configuration update can not unseal a sealed stream");
  });
});

describe("direct get", () => {
  it("answers with the message and Nats-Stream/Subject/Sequence/Time-Stamp headers, or a 404 status", async () => {
    await create({ name: "DG", subjects: ["dg.>"], allow_direct: true });
    await publish(nc, "dg.a", "hello", { "X-Foo": "bar" });
    await publish(nc, "dg.a", "again");
    const m = await nc.request("$JS.API.DIRECT.GET.DG", JSON.stringify({ seq: 1 }), { timeout: 2000 });
    expect(m.string()).toBe("hello");
    expect(m.headers?.get("X-Foo")).toBe("bar");
    expect(m.headers?.get("Nats-Stream")).toBe("DG");
    expect(m.headers?.get("Nats-Subject")).toBe("dg.a");
    expect(m.headers?.get("Nats-Sequence")).toBe("1");
    expect(m.headers?.get("Nats-Time-Stamp")).toMatch(/Z$/);
    const last = await nc.request("$JS.API.DIRECT.GET.DG.dg.a", "", { timeout: 2000 });
    expect(last.headers?.get("Nats-Sequence")).toBe("2");
    const missing = await nc.request("$JS.API.DIRECT.GET.DG", JSON.stringify({ seq: 99 }), { timeout: 2000 });
    expect(missing.headers?.code).toBe(404);
    expect(missing.headers?.description).toBe("Message Not Found");
    const empty = await nc.request("$JS.API.DIRECT.GET.DG", "", { timeout: 2000 });
    expect(empty.headers?.code).toBe(408);
  });
});

describe("republish", () => {
  it("copies stored messages to the destination with the stream headers", async () => {
    await create({ name: "RPB", subjects: ["rpb.>"], republish: { src: "rpb.>", dest: "copy.>" } });
    const got: Array<{ subject: string; seq: string | undefined; data: string }> = [];
    nc.subscribe("copy.>", { callback: (_e, m) => got.push({ subject: m.subject, seq: m.headers?.get("Nats-Sequence"), data: m.string() }) });
    await nc.flush();
    await publish(nc, "rpb.x", "payload");
    await waitUntil(() => got.length === 1);
    expect(got[0]).toEqual({ subject: "copy.x", seq: "1", data: "payload" });
  });

  it("keeps the message's own headers first, then the stream's; headers_only adds Nats-Msg-Size and drops the body", async () => {
    await create({ name: "RPH", subjects: ["rph.>"], republish: { src: "rph.>", dest: "copyh.>", headers_only: true } });
    const got: Array<{ keys: string[]; size: string | undefined; len: number }> = [];
    nc.subscribe("copyh.>", { callback: (_e, m) => got.push({ keys: m.headers?.keys() ?? [], size: m.headers?.get("Nats-Msg-Size"), len: m.data.length }) });
    await nc.flush();
    await publish(nc, "rph.x", "12345", { "X-Own": "1" });
    await waitUntil(() => got.length === 1);
    expect(got[0]).toEqual({ keys: ["X-Own", "Nats-Stream", "Nats-Subject", "Nats-Sequence", "Nats-Last-Sequence", "Nats-Msg-Size"], size: "5", len: 0 });
  });
});

describe("other stream settings", () => {
  it("subject_transform stores messages under the transformed subject", async () => {
    await create({ name: "TR", subjects: ["tr.>"], subject_transform: { src: "tr.*.*", dest: "moved.$2.$1" } });
    await publish(nc, "tr.a.b", "x");
    const m = (await api(nc, "STREAM.MSG.GET.TR", { seq: 1 })).message as Record<string, unknown>;
    expect(m.subject).toBe("moved.b.a");
  });

  it("no_ack stores without acknowledging; metadata and description are kept", async () => {
    const r = await api(nc, "STREAM.CREATE.NA", { name: "NA", subjects: ["na"], no_ack: true, description: "quiet", metadata: { team: "a" } });
    expect(r.config).toMatchObject({ no_ack: true, description: "quiet", metadata: { team: "a" } });
    await expect(nc.request("na", "x", { timeout: 300 })).rejects.toMatchObject({ code: "TIMEOUT" });
    expect((await state("NA")).messages).toBe(1);
  });
});

import { type ServerHandle } from "@tsnats/server";
import { type Msg, type NatsConnection, type Subscription, connect, headers } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawClient } from "./helpers/raw-client.js";
import { startTestServer } from "./helpers/server.js";
import { waitUntil } from "./helpers/wait.js";

let srv: ServerHandle;
const conns: NatsConnection[] = [];

async function client(opts: Parameters<typeof connect>[0] = {}): Promise<NatsConnection> {
  const nc = await connect({ servers: srv.url, ...opts });
  conns.push(nc);
  return nc;
}

/** Collects every message a subscription gets. */
function collect(sub: Subscription): Msg[] {
  const got: Msg[] = [];
  void (async () => {
    for await (const m of sub) got.push(m);
  })();
  return got;
}

beforeAll(async () => {
  srv = await startTestServer();
});

afterAll(async () => {
  await Promise.all(conns.map((c) => c.close()));
  await srv.close();
});

describe("core NATS with the nats client", () => {
  it("identifies itself with a 2.10.0 feature level and a nkey-style server id", async () => {
    const nc = await client();
    expect(nc.info?.version).toBe("2.10.0");
    expect(nc.info?.server_id).toMatch(/^N[A-Z2-7]{55}$/);
    expect(nc.info?.headers).toBe(true);
    expect(nc.info?.max_payload).toBe(1024 * 1024);
    expect((nc.info as unknown as Record<string, unknown>).tsnats).toBeTypeOf("string");
  });

  it("delivers publishes to subscribers, in order", async () => {
    const pub = await client();
    const subc = await client();
    const got = collect(subc.subscribe("orders.created"));
    await subc.flush();
    for (let i = 0; i < 100; i++) pub.publish("orders.created", `m${i}`);
    await waitUntil(() => got.length === 100);
    expect(got.map((m) => m.string())).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
    expect(got[0].subject).toBe("orders.created");
  });

  it("matches * and > wildcards", async () => {
    const nc = await client();
    const star = collect(nc.subscribe("a.*.c"));
    const gt = collect(nc.subscribe("a.>"));
    const exact = collect(nc.subscribe("a.b.c"));
    await nc.flush();
    for (const s of ["a.b.c", "a.x.c", "a.b", "a.b.c.d", "b.b.c", "a"]) nc.publish(s, s);
    await nc.flush();
    await waitUntil(() => gt.length === 4);
    expect(star.map((m) => m.subject).sort()).toEqual(["a.b.c", "a.x.c"]);
    expect(gt.map((m) => m.subject).sort()).toEqual(["a.b", "a.b.c", "a.b.c.d", "a.x.c"]);
    expect(exact.map((m) => m.subject)).toEqual(["a.b.c"]);
  });

  it("gives each message to exactly one member of a queue group, and to every plain subscriber", async () => {
    const members = await Promise.all([client(), client(), client()]);
    const groups = members.map((nc) => collect(nc.subscribe("work", { queue: "workers" })));
    const other = collect(members[0].subscribe("work", { queue: "auditors" }));
    const plain = collect(members[1].subscribe("work"));
    await Promise.all(members.map((m) => m.flush()));
    const pub = await client();
    const N = 300;
    for (let i = 0; i < N; i++) pub.publish("work", String(i));
    await waitUntil(() => groups.reduce((n, g) => n + g.length, 0) === N && other.length === N && plain.length === N);
    const seen = groups.flatMap((g) => g.map((m) => m.string())).sort((a, b) => Number(a) - Number(b));
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => String(i)));
    for (const g of groups) expect(g.length).toBeGreaterThan(0);
  });

  it("answers requests", async () => {
    const svc = await client();
    svc.subscribe("time", { callback: (_e, m) => m.respond(`now:${m.string()}`) });
    await svc.flush();
    const nc = await client();
    const r = await nc.request("time", "q", { timeout: 2000 });
    expect(r.string()).toBe("now:q");
  });

  it("carries headers both ways", async () => {
    const svc = await client();
    svc.subscribe("hdr", {
      callback: (_e, m) => {
        const h = headers();
        h.set("Echo", m.headers?.get("X-Trace") ?? "none");
        m.respond("ok", { headers: h });
      },
    });
    await svc.flush();
    const nc = await client();
    const h = headers();
    h.set("X-Trace", "abc-123");
    h.append("Multi", "1");
    h.append("Multi", "2");
    const r = await nc.request("hdr", "x", { headers: h, timeout: 2000 });
    expect(r.headers?.get("Echo")).toBe("abc-123");

    const got = collect(svc.subscribe("hdr.raw"));
    await svc.flush();
    nc.publish("hdr.raw", "p", { headers: h });
    await waitUntil(() => got.length === 1);
    expect(got[0].headers?.values("Multi")).toEqual(["1", "2"]);
  });

  it("answers a request nobody serves with a 503 no-responders status", async () => {
    const nc = await client();
    await expect(nc.request("nobody.home", "x", { timeout: 2000 })).rejects.toMatchObject({ code: "503" });
  });

  it("stops a subscription after its max messages (auto-unsubscribe)", async () => {
    const nc = await client();
    const got = collect(nc.subscribe("limited", { max: 3 }));
    await nc.flush();
    for (let i = 0; i < 10; i++) nc.publish("limited", String(i));
    await nc.flush();
    await waitUntil(() => got.length === 3);
    // A second subscriber shows that every message was routed after the limit was hit.
    const after = collect(nc.subscribe("limited"));
    await nc.flush();
    nc.publish("limited", "late");
    await waitUntil(() => after.length === 1);
    expect(got.map((m) => m.string())).toEqual(["0", "1", "2"]);
  });

  it("does not echo a client's own messages when echo is off", async () => {
    const quiet = await client({ noEcho: true });
    const other = await client();
    const mine = collect(quiet.subscribe("echo.test"));
    const theirs = collect(other.subscribe("echo.test"));
    await Promise.all([quiet.flush(), other.flush()]);
    quiet.publish("echo.test", "from-quiet");
    other.publish("echo.test", "from-other");
    await Promise.all([quiet.flush(), other.flush()]);
    await waitUntil(() => theirs.length === 2 && mine.length === 1);
    expect(mine.map((m) => m.string())).toEqual(["from-other"]);
  });

  it("carries 1 MiB payloads intact", async () => {
    const nc = await client();
    const got = collect(nc.subscribe("big"));
    await nc.flush();
    const payload = new Uint8Array(1024 * 1024 - 512);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const pub = await client();
    for (let i = 0; i < 5; i++) pub.publish("big", payload);
    await waitUntil(() => got.length === 5);
    for (const m of got) expect(Buffer.from(m.data).equals(Buffer.from(payload))).toBe(true);
  });

  it("parses a burst written in one go in slices sized after its messages, losing and reordering none", async () => {
    // Small, 1 KiB, small again and 8 KiB messages in one write of ~700 KB: the server parses it a slice per
    // turn, each slice sized after the messages of the one before, so slices end anywhere in a message.
    const nc = await client();
    const got = collect(nc.subscribe("burst"));
    await nc.flush();
    const sizes: number[] = [];
    for (let i = 0; i < 500; i++) sizes.push(i % 97);
    for (let i = 0; i < 300; i++) sizes.push(1000 + (i % 50));
    for (let i = 0; i < 500; i++) sizes.push(i % 13);
    for (let i = 0; i < 40; i++) sizes.push(8 * 1024 + i);
    const parts: Buffer[] = [];
    sizes.forEach((size, k) => {
      const body = Buffer.alloc(size, 97 + (k % 26));
      parts.push(Buffer.from(`PUB burst ${size}\r\n`), body, Buffer.from("\r\n"));
    });
    const raw = await RawClient.connect(srv.port);
    raw.send('CONNECT {"verbose":false,"pedantic":false}\r\n');
    raw.send(Buffer.concat(parts));
    await raw.roundTrip();
    await waitUntil(() => got.length === sizes.length);
    got.forEach((m, k) => {
      expect(m.data.length).toBe(sizes[k]);
      if (m.data.length > 0) expect(m.data[m.data.length - 1]).toBe(97 + (k % 26));
    });
    raw.socket.destroy();
  });

  it("unsubscribes", async () => {
    const nc = await client();
    const sub = nc.subscribe("unsub.me");
    const got = collect(sub);
    await nc.flush();
    nc.publish("unsub.me", "1");
    await waitUntil(() => got.length === 1);
    sub.unsubscribe();
    await nc.flush();
    const witness = collect(nc.subscribe("unsub.me"));
    await nc.flush();
    nc.publish("unsub.me", "2");
    await waitUntil(() => witness.length === 1);
    expect(got.length).toBe(1);
  });
});

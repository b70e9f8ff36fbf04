import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Clients, received } from "./helpers/clients.js";
import { RawClient } from "./helpers/raw-client.js";
import { type Target, startConfigured } from "./helpers/target.js";

const CONFIG = `
accounts {
  SVC {
    users: [ {user: svc, password: p} ]
    exports: [
      {service: "feed.*", response_type: stream}
      {service: "chunks", response_type: chunked}
      {service: "one"}
      {stream: "events.>"}
    ]
  }
  USER {
    users: [ {user: u, password: p} ]
    imports: [
      {service: {account: SVC, subject: "feed.*"}, to: "my.feed.*"}
      {service: {account: SVC, subject: "chunks"}}
      {service: {account: SVC, subject: "one"}}
      {stream: {account: SVC, subject: "events.>"}, to: "ev.>"}
    ]
  }
}
`;

describe("service and stream imports", () => {
  let srv: Target;
  const clients = new Clients(() => srv.url);
  beforeAll(async () => {
    srv = await startConfigured(CONFIG, { shards: { count: 2, pin: { SVC: 0, USER: 1 } } });
  });
  afterEach(() => clients.closeAll());
  afterAll(() => srv.close());

  const as = (user: string) => clients.connect({ user, pass: "p" });

  async function collectReplies(nc: Awaited<ReturnType<typeof as>>, subject: string, max: number): Promise<string[]> {
    const got: string[] = [];
    for await (const m of await nc.requestMany(subject, "go", { maxWait: 1500, maxMessages: max })) got.push(m.string());
    return got;
  }

  it("response_type stream lets every reply through; the wildcard maps token for token", async () => {
    const [svc, u] = await Promise.all([as("svc"), as("u")]);
    svc.subscribe("feed.*", {
      callback: (_e, m) => {
        for (let i = 0; i < 3; i++) m.respond(`${m.subject}#${i}`);
      },
    });
    await svc.flush();
    expect(await collectReplies(u, "my.feed.prices", 3)).toEqual(["feed.prices#0", "feed.prices#1", "feed.prices#2"]);
  });

  it("a singleton service lets only the first reply through", async () => {
    const [svc, u] = await Promise.all([as("svc"), as("u")]);
    svc.subscribe("one", {
      callback: (_e, m) => {
        m.respond("first");
        m.respond("second");
      },
    });
    await svc.flush();
    expect(await collectReplies(u, "one", 2)).toEqual(["first"]);
  });

  it("a chunked service's mapping ends with an empty reply", async () => {
    const svc = await as("svc");
    svc.subscribe("chunks", {
      callback: (_e, m) => {
        m.respond("a");
        m.respond("b");
        m.respond(new Uint8Array(0)); // end of the response
        m.respond("after the end");
      },
    });
    await svc.flush();
    const c = await RawClient.connect(srv.port);
    c.send('CONNECT {"verbose":false,"headers":true,"user":"u","pass":"p"}\r\nSUB inbox.1 1\r\nPUB chunks inbox.1 2\r\ngo\r\n');
    await c.waitFor("MSG inbox.1 1 0\r\n\r\n");
    // A sentinel published after everything shows the late reply did not come.
    const sentinel = await as("u");
    sentinel.publish("inbox.1", "sentinel");
    await c.waitFor("sentinel");
    expect(c.afterInfo).toBe("MSG inbox.1 1 1\r\na\r\nMSG inbox.1 1 1\r\nb\r\nMSG inbox.1 1 0\r\n\r\nMSG inbox.1 1 8\r\nsentinel\r\n");
    c.close();
  });

  it("a stream import with `to` renames the subject; the reply subject passes through unchanged", async () => {
    const [svc, u] = await Promise.all([as("svc"), as("u")]);
    const got = received(u, "ev.>");
    await u.flush();
    svc.publish("events.orders.new", "o1", { reply: "some.reply" });
    await got.waitFor(1);
    expect(got.msgs[0].subject).toBe("ev.orders.new");
    expect(got.msgs[0].reply).toBe("some.reply");
  });

  it("a client without header support gets a service request's payload without the added header block", async () => {
    const svcRaw = await RawClient.connect(srv.port);
    svcRaw.send('CONNECT {"verbose":false,"headers":false,"user":"svc","pass":"p"}\r\nSUB one 1\r\n');
    await svcRaw.roundTrip();
    const u = await as("u");
    u.publish("one", "plain", { reply: "whatever" });
    await u.flush();
    await svcRaw.waitFor("plain");
    expect(svcRaw.afterInfo).toMatch(/^PONG\r\nMSG one 1 _R_\.[0-9A-Za-z]{6}\.[0-9A-Za-z]{6} 5\r\nplain\r\n$/);
    svcRaw.close();
  });
});

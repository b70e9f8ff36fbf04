import type { ServerHandle } from "@tsnats/server";
import { type Msg, type NatsConnection, connect } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RawClient } from "./helpers/raw-client.js";
import { startTestServer } from "./helpers/server.js";
import { waitUntil } from "./helpers/wait.js";

/**
 * Every bad input gets its error, the offending connection alone is affected, and a bystander connected
 * throughout keeps getting everything it subscribed to.
 */
let srv: ServerHandle;
let bystander: NatsConnection;
let received: Msg[];
let sent = 0;

beforeAll(async () => {
  srv = await startTestServer();
  bystander = await connect({ servers: srv.url });
  received = [];
  bystander.subscribe("bystander", { callback: (_e, m) => received.push(m) });
  await bystander.flush();
});

afterEach(async () => {
  // After each bad client, the bystander still round-trips and receives.
  bystander.publish("bystander", String(sent++));
  await bystander.flush();
  await waitUntil(() => received.length === sent, 5000, "bystander delivery");
  expect(bystander.isClosed()).toBe(false);
});

afterAll(async () => {
  expect(received.map((m) => m.string())).toEqual(Array.from({ length: sent }, (_, i) => String(i)));
  await bystander.close();
  await srv.close();
});

async function raw(): Promise<RawClient> {
  return RawClient.connect(srv.port);
}

describe("bad input", () => {
  it("random bytes: unknown protocol operation, connection closed", async () => {
    const c = await raw();
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) & 0xff;
    c.send(junk);
    await c.closed;
    expect(c.afterInfo).toContain("-ERR 'Unknown Protocol Operation'");
  });

  it("many random inputs in parallel: each fails alone", async () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const clients = await Promise.all(Array.from({ length: 20 }, () => raw()));
    for (const c of clients) {
      const b = Buffer.alloc(200 + (rand() % 2000));
      for (let i = 0; i < b.length; i++) b[i] = rand() & 0xff;
      b[0] = 0x7e; // never a valid op start
      c.send(b);
    }
    await Promise.all(clients.map((c) => c.closed));
    for (const c of clients) expect(c.afterInfo).toContain("-ERR 'Unknown Protocol Operation'");
  });

  it("an over-long control line: maximum control line exceeded", async () => {
    const c = await raw();
    c.send(`CONNECT {"verbose":false}\r\nSUB ${"a".repeat(5000)} 1\r\n`);
    await c.closed;
    expect(c.afterInfo).toBe("-ERR 'maximum control line exceeded'\r\n");
  });

  it("an over-long control line that never ends: caught without waiting for CRLF", async () => {
    const c = await raw();
    c.send(`CONNECT {"verbose":false}\r\nPUB ${"b".repeat(8000)}`);
    await c.closed;
    expect(c.afterInfo).toBe("-ERR 'maximum control line exceeded'\r\n");
  });

  it("a payload shorter than announced: the next bytes are not CRLF, unknown protocol operation", async () => {
    const c = await raw();
    c.send('CONNECT {"verbose":false}\r\nSUB x 1\r\nPUB x 10\r\nshort\r\nPING\r\n');
    await c.closed;
    expect(c.afterInfo).toBe("-ERR 'Unknown Protocol Operation'\r\n");
  });

  it("a payload over max_payload: maximum payload violation before any payload byte", async () => {
    const c = await raw();
    c.send('CONNECT {"verbose":false}\r\nPUB x 2000000\r\n');
    await c.closed;
    expect(c.afterInfo).toBe("-ERR 'Maximum Payload Violation'\r\n");
  });

  it("a CONNECT that is not JSON: error and close", async () => {
    const c = await raw();
    c.send("CONNECT {not json}\r\n");
    await c.closed;
    expect(c.afterInfo).toBe("-ERR 'Unknown Protocol Operation'\r\n");
  });

  it("HPUB from a client that did not announce headers: closed", async () => {
    const c = await raw();
    c.send('CONNECT {"verbose":false}\r\nHPUB x 12 14\r\nNATS/1.0\r\n\r\nab\r\n');
    await c.closed;
    expect(c.afterInfo).toContain("-ERR");
  });

  it("no_responders without headers: nats-server's error", async () => {
    const c = await raw();
    c.send('CONNECT {"verbose":false,"no_responders":true}\r\n');
    await c.closed;
    expect(c.afterInfo).toBe("-ERR 'no responders requires headers support'\r\n");
  });

  it("invalid subjects: an error, and the connection stays open", async () => {
    const c = await raw();
    c.send('CONNECT {"verbose":false}\r\nSUB foo..bar 1\r\nSUB foo.>.x 2\r\nPUB a..b 1\r\nx\r\nPUB .a 1\r\nx\r\n');
    await c.roundTrip();
    expect(c.afterInfo).toBe(
      "-ERR 'Invalid Subject'\r\n-ERR 'Invalid Subject'\r\n-ERR 'Invalid Publish Subject'\r\n-ERR 'Invalid Publish Subject'\r\nPONG\r\n",
    );
    expect(c.isClosed).toBe(false);
    c.close();
  });

  it("a wildcard publish subject: an error, yet routed as literal tokens like nats-server", async () => {
    const c = await raw();
    c.send('CONNECT {"verbose":false}\r\nSUB > 1\r\nPUB foo.* 1\r\nx\r\n');
    await c.roundTrip();
    expect(c.afterInfo).toBe("-ERR 'Invalid Publish Subject'\r\nMSG foo.* 1 1\r\nx\r\nPONG\r\n");
    c.close();
  });

  it("a client that never sends CONNECT is served with defaults (verbose on) when no auth is required", async () => {
    const c = await raw();
    c.send("SUB foo 1\r\nPUB foo 1\r\nx\r\n");
    await c.roundTrip();
    expect(c.afterInfo).toBe("+OK\r\n+OK\r\nMSG foo 1 1\r\nx\r\nPONG\r\n");
    c.close();
  });

  it("a client that disconnects mid-message leaves nothing behind", async () => {
    const before = srv.server.connections.size;
    const c = await raw();
    c.send('CONNECT {"verbose":false}\r\nSUB bystander 9\r\nPUB bystander 100\r\nhalf');
    c.close();
    await c.closed;
    await waitUntil(() => srv.server.connections.size === before);
  });

  it("verbose mode acknowledges each op with +OK", async () => {
    const c = await raw();
    c.send('CONNECT {"verbose":true}\r\nSUB foo 1\r\nUNSUB 1 2\r\nPUB nobody 0\r\n\r\nPONG\r\n');
    await c.roundTrip();
    expect(c.afterInfo).toBe("+OK\r\n+OK\r\n+OK\r\n+OK\r\nPONG\r\n");
    c.close();
  });
});

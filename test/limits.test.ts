import { type Msg, connect } from "nats";
import { describe, expect, it } from "vitest";
import { RawClient } from "./helpers/raw-client.js";
import { startTestServer } from "./helpers/server.js";
import { waitUntil } from "./helpers/wait.js";

describe("limits", () => {
  it("max_payload: the nats client refuses to publish more, the server closes a raw client that tries", async () => {
    const srv = await startTestServer({ maxPayload: 1024 });
    try {
      const nc = await connect({ servers: srv.url });
      expect(nc.info?.max_payload).toBe(1024);
      expect(() => nc.publish("x", new Uint8Array(2048))).toThrow(/MAX_PAYLOAD_EXCEEDED|max_payload|payload/i);
      await nc.close();
      const c = await RawClient.connect(srv.port);
      c.send('CONNECT {"verbose":false}\r\nPUB x 1025\r\n');
      await c.closed;
      expect(c.afterInfo).toBe("-ERR 'Maximum Payload Violation'\r\n");
    } finally {
      await srv.close();
    }
  });

  it("pedantic: an invalid subject gets an error through the nats client and the connection stays open", async () => {
    const srv = await startTestServer();
    try {
      const errors: Error[] = [];
      const nc = await connect({ servers: srv.url, pedantic: true });
      void (async () => {
        for await (const s of nc.status()) if (s.type === "error") errors.push(s.data as unknown as Error);
      })();
      nc.subscribe("bad..subject", { callback: () => {} });
      await nc.flush().catch(() => {});
      await waitUntil(() => errors.length > 0 || nc.isClosed());
      // nats.js surfaces the error; the server keeps the connection.
      const c = await RawClient.connect(srv.port);
      c.send('CONNECT {"verbose":false,"pedantic":true}\r\nSUB bad..subject 1\r\nPUB bad.* 1\r\nx\r\n');
      await c.roundTrip();
      expect(c.afterInfo).toBe("-ERR 'Invalid Subject'\r\n-ERR 'Invalid Publish Subject'\r\nPONG\r\n");
      c.close();
      await nc.close().catch(() => {});
    } finally {
      await srv.close();
    }
  });

  it("max_connections: the connection over the limit gets INFO and nats-server's error", async () => {
    const srv = await startTestServer({ maxConnections: 2 });
    try {
      const a = await RawClient.connect(srv.port);
      const b = await RawClient.connect(srv.port);
      const c = await RawClient.connect(srv.port);
      await c.closed;
      expect(c.afterInfo).toBe("-ERR 'maximum connections exceeded'\r\n");
      await a.roundTrip();
      await b.roundTrip();
      a.close();
      await a.closed;
      await waitUntil(() => srv.server.connections.size === 1);
      const d = await RawClient.connect(srv.port);
      await d.roundTrip();
      d.close();
      b.close();
    } finally {
      await srv.close();
    }
  });

  it("ping_interval/ping_max: a client that never answers PING is closed as a stale connection", async () => {
    const srv = await startTestServer({ pingInterval: 50, maxPingsOut: 2 });
    try {
      const c = await RawClient.connect(srv.port);
      c.send('CONNECT {"verbose":false}\r\n');
      await c.closed;
      expect(c.afterInfo).toBe("PING\r\nPING\r\n-ERR 'Stale Connection'\r\n");
    } finally {
      await srv.close();
    }
  });

  it("ping_interval: a client that answers PING stays", async () => {
    const srv = await startTestServer({ pingInterval: 30, maxPingsOut: 1 });
    try {
      const nc = await connect({ servers: srv.url });
      const c = await RawClient.connect(srv.port);
      c.send('CONNECT {"verbose":false}\r\n');
      // Answer five PINGs; a stale check would have closed it after the second one.
      for (let i = 1; i <= 5; i++) {
        await waitUntil(() => c.output.split("PING\r\n").length > i);
        c.send("PONG\r\n");
      }
      expect(c.isClosed).toBe(false);
      expect(nc.isClosed()).toBe(false);
      c.close();
      await nc.close();
    } finally {
      await srv.close();
    }
  });

  it("max_pending: a subscriber that does not read is cut off as a slow consumer, others get everything", async () => {
    // The clients share this process's event loop with the server, so the limit leaves a reading client
    // room for bursts while the paused one overruns it by far.
    const srv = await startTestServer({ maxPending: 4 * 1024 * 1024 });
    try {
      const fast = await connect({ servers: srv.url });
      const got: Msg[] = [];
      fast.subscribe("flood", { callback: (_e, m) => got.push(m) });
      await fast.flush();

      const slow = await RawClient.connect(srv.port);
      slow.send('CONNECT {"verbose":false}\r\nSUB flood 1\r\n');
      await slow.roundTrip();
      slow.socket.pause(); // stop reading: the kernel buffers fill, then the server's queue grows

      const pub = await connect({ servers: srv.url });
      const payload = new Uint8Array(4096);
      const N = 12_000; // ~48 MB: far beyond socket buffers plus max_pending
      for (let i = 0; i < N; i++) {
        pub.publish("flood", payload);
        if (i % 200 === 199) await pub.flush();
      }
      await pub.flush();
      await waitUntil(() => srv.server.stats.slowConsumers === 1, 20_000, "slow consumer detection");
      await waitUntil(() => got.length === N, 20_000, "fast subscriber to get every message");
      slow.socket.resume();
      await slow.closed;
      expect(fast.isClosed()).toBe(false);
      expect(pub.isClosed()).toBe(false);
      await fast.close();
      await pub.close();
    } finally {
      await srv.close();
    }
  });
});

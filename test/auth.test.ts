import { connect } from "nats";
import { describe, expect, it } from "vitest";
import { RawClient } from "./helpers/raw-client.js";
import { startTestServer } from "./helpers/server.js";

describe("authorization", () => {
  it("user/password: right gets in, wrong and missing get 'Authorization Violation'", async () => {
    const srv = await startTestServer({ authorization: { user: "derek", password: "s3cret" } });
    try {
      const nc = await connect({ servers: srv.url, user: "derek", pass: "s3cret" });
      expect(nc.info?.auth_required).toBe(true);
      await nc.request("nobody", "x", { timeout: 1000 }).catch(() => {});
      await nc.flush();
      await expect(connect({ servers: srv.url, user: "derek", pass: "wrong", reconnect: false })).rejects.toMatchObject({
        code: "AUTHORIZATION_VIOLATION",
      });
      await expect(connect({ servers: srv.url, reconnect: false })).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
      expect(nc.isClosed()).toBe(false);
      await nc.close();
    } finally {
      await srv.close();
    }
  });

  it("a users list: each user with its own password", async () => {
    const srv = await startTestServer({
      authorization: {
        users: [
          { user: "alice", password: "a" },
          { user: "bob", password: "b" },
        ],
      },
    });
    try {
      const a = await connect({ servers: srv.url, user: "alice", pass: "a" });
      const b = await connect({ servers: srv.url, user: "bob", pass: "b" });
      const got: string[] = [];
      b.subscribe("hello", { callback: (_e, m) => got.push(m.string()) });
      await b.flush();
      a.publish("hello", "from alice");
      await a.flush();
      await b.flush();
      await expect(connect({ servers: srv.url, user: "alice", pass: "b", reconnect: false })).rejects.toMatchObject({
        code: "AUTHORIZATION_VIOLATION",
      });
      await a.close();
      await b.close();
      expect(got).toEqual(["from alice"]);
    } finally {
      await srv.close();
    }
  });

  it("token: right gets in, wrong is refused", async () => {
    const srv = await startTestServer({ authorization: { token: "t0ken" } });
    try {
      const nc = await connect({ servers: srv.url, token: "t0ken" });
      await nc.flush();
      await expect(connect({ servers: srv.url, token: "nope", reconnect: false })).rejects.toMatchObject({
        code: "AUTHORIZATION_VIOLATION",
      });
      await nc.close();
    } finally {
      await srv.close();
    }
  });

  it("any op before CONNECT is an authorization violation", async () => {
    const srv = await startTestServer({ authorization: { token: "t" } });
    try {
      const c = await RawClient.connect(srv.port);
      expect(c.info.auth_required).toBe(true);
      c.send("PING\r\n");
      await c.closed;
      expect(c.afterInfo).toBe("-ERR 'Authorization Violation'\r\n");
    } finally {
      await srv.close();
    }
  });

  it("a client that never sends CONNECT is closed after the auth timeout", async () => {
    const srv = await startTestServer({ authorization: { token: "t", timeout: 100 } });
    try {
      const c = await RawClient.connect(srv.port);
      await c.closed;
      expect(c.afterInfo).toBe("-ERR 'Authentication Timeout'\r\n");
      // The server is fine afterwards.
      const nc = await connect({ servers: srv.url, token: "t" });
      await nc.flush();
      await nc.close();
    } finally {
      await srv.close();
    }
  });
});

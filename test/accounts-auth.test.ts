import { type NatsConnection, nkeyAuthenticator, nkeys } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Clients, received } from "./helpers/clients.js";
import { RawClient } from "./helpers/raw-client.js";
import { type Target, startConfigured } from "./helpers/target.js";
import { waitUntil } from "./helpers/wait.js";

const userKey = nkeys.createUser();
const otherKey = nkeys.createUser();
// bcrypt of "s3cret" (cost 4, to keep the test fast).
const BCRYPT = "$2b$04$k1448Nh0llAPBmsHmycuYOTUfRA64lrNnZ9Ie9Fts9W8RP/yT6yiy";

const CONFIG = `
accounts {
  APP {
    users: [
      { user: anon, password: anon }
      { user: hashed, password: "${BCRYPT}" }
      { nkey: ${userKey.getPublicKey()} }
      { user: limited, password: p, permissions: {
          publish: { allow: ["a.>"], deny: ["a.secret"] }
          subscribe: { allow: [">"], deny: ["hidden.>"] }
      } }
      { user: lists, password: p, permissions: { publish: ["x"], subscribe: ["y", "_INBOX.>"] } }
      { user: queues, password: p, permissions: { subscribe: { allow: ["foo queue1", "bar", "baz.* q.*"], deny: ["bar qbad"] } } }
      { user: responder, password: p, permissions: { publish: { deny: ">" }, allow_responses: { max: 2, expires: "1m" } } }
      { user: admin, password: p }
    ]
  }
}
no_auth_user: anon
`;

describe("logins and permissions", () => {
  let srv: Target;
  const clients = new Clients(() => srv.url);
  beforeAll(async () => {
    srv = await startConfigured(CONFIG);
  });
  afterEach(() => clients.closeAll());
  afterAll(() => srv.close());

  const as = (user: string, pass = "p") => clients.connect({ user, pass });

  /** Errors the client reports on its status stream (permission violations keep the connection open). */
  function errors(nc: NatsConnection): string[] {
    const seen: string[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.type === "error") seen.push(String(s.data));
    })();
    return seen;
  }

  describe("logins", () => {
    it("no_auth_user: a client without credentials is that user, and INFO does not ask for auth", async () => {
      const nc = await clients.connect({});
      expect(nc.info?.auth_required).toBeUndefined();
      const admin = await as("admin");
      const got = received(admin, "hello");
      await admin.flush();
      nc.publish("hello", "from anon");
      await got.waitFor(1); // same account as admin
    });

    it("a wrong password never falls back to no_auth_user", async () => {
      await expect(as("admin", "wrong")).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
      await expect(as("nobody", "x")).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
      // A password alone (no user) is credentials too: refused, not the no_auth_user.
      const c = await RawClient.connect(srv.port);
      c.send('CONNECT {"verbose":false,"pass":"anon"}\r\nPING\r\n');
      await c.closed;
      expect(c.afterInfo).toBe("-ERR 'Authorization Violation'\r\n");
    });

    it("bcrypt passwords", async () => {
      const nc = await as("hashed", "s3cret");
      await nc.flush();
      await expect(as("hashed", "wrong")).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
      await expect(as("hashed", BCRYPT)).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
    });

    it("nkeys: the client signs the INFO nonce with its seed", async () => {
      const nc = await clients.connect({ authenticator: nkeyAuthenticator(userKey.getSeed()) });
      await nc.flush();
      await expect(clients.connect({ authenticator: nkeyAuthenticator(otherKey.getSeed()) })).rejects.toMatchObject({
        code: "AUTHORIZATION_VIOLATION",
      });
    });

    it("INFO carries a nonce when nkey users exist, and a bad signature is refused", async () => {
      const c = await RawClient.connect(srv.port);
      expect(typeof c.info.nonce).toBe("string");
      c.send(`CONNECT ${JSON.stringify({ verbose: false, nkey: userKey.getPublicKey(), sig: "bm90IGEgc2lnbmF0dXJl" })}\r\nPING\r\n`);
      await c.closed;
      expect(c.afterInfo).toBe("-ERR 'Authorization Violation'\r\n");
    });

    it("ops after CONNECT wait for a bcrypt check and then run in order", async () => {
      const admin = await as("admin");
      const got = received(admin, "after.auth");
      await admin.flush();
      const c = await RawClient.connect(srv.port);
      c.send(`CONNECT {"verbose":false,"user":"hashed","pass":"s3cret"}\r\nPUB after.auth 2\r\nok\r\nPING\r\n`);
      await c.waitFor("PONG");
      await got.waitFor(1);
      expect(c.afterInfo).toBe("PONG\r\n");
      c.close();
    });
  });

  describe("permissions", () => {
    it("publish allow/deny: violations get nats-server's error and the connection stays", async () => {
      const nc = await as("limited");
      const errs = errors(nc);
      const admin = await as("admin");
      const got = received(admin, ">");
      await admin.flush();
      for (const s of ["a.b", "a.b.c", "a.secret.x", "a.secret", "b", "a"]) nc.publish(s, s);
      await nc.flush();
      await got.waitFor(3);
      await waitUntil(() => errs.length >= 3);
      expect(got.subjects()).toEqual(["a.b", "a.b.c", "a.secret.x"]);
      expect(nc.isClosed()).toBe(false);
      const c = await RawClient.connect(srv.port);
      c.send('CONNECT {"verbose":false,"user":"limited","pass":"p"}\r\nPUB a.secret 0\r\n\r\nPUB b 0\r\n\r\n');
      await c.roundTrip();
      expect(c.afterInfo).toBe(
        `-ERR 'Permissions Violation for Publish to "a.secret"'\r\n-ERR 'Permissions Violation for Publish to "b"'\r\nPONG\r\n`,
      );
      c.close();
    });

    it("subscribe allow/deny, and denied subjects filtered from wildcard subscriptions at delivery", async () => {
      const c = await RawClient.connect(srv.port);
      c.send(
        'CONNECT {"verbose":false,"user":"limited","pass":"p"}\r\nSUB hidden.x 1\r\nSUB hidden.* 2\r\nSUB hidden.x qq 3\r\nSUB *.x 4\r\nSUB > 5\r\n',
      );
      await c.roundTrip();
      expect(c.afterInfo).toBe(
        [
          `-ERR 'Permissions Violation for Subscription to "hidden.x"'`,
          `-ERR 'Permissions Violation for Subscription to "hidden.*"'`,
          `-ERR 'Permissions Violation for Subscription to "hidden.x" using queue "qq"'`,
          "PONG",
          "",
        ].join("\r\n"),
      );
      const admin = await as("admin");
      for (const s of ["hidden.x", "hidden.y.z", "other.x", "hidden", "zz.done"]) admin.publish(s, "m");
      await admin.flush();
      await c.waitFor("MSG zz.done 5 1");
      const msgs = c.afterInfo.split("\r\n").filter((l) => l.startsWith("MSG "));
      expect(msgs.sort()).toEqual(["MSG hidden 5 1", "MSG other.x 4 1", "MSG other.x 5 1", "MSG zz.done 5 1"]);
      c.close();
    });

    it("plain lists are allow lists; the nats client reports a subscription violation", async () => {
      const nc = await as("lists");
      const errs = errors(nc);
      nc.publish("x", "ok");
      nc.publish("y", "no");
      const sub = nc.subscribe("x");
      await nc.flush();
      await waitUntil(() => errs.length >= 2);
      await sub.closed;
      expect(nc.isClosed()).toBe(false);
    });

    it("queue-group permissions: 'subject queue' entries", async () => {
      const c = await RawClient.connect(srv.port);
      c.send(
        'CONNECT {"verbose":false,"user":"queues","pass":"p"}\r\nSUB foo 1\r\nSUB foo queue1 2\r\nSUB foo queue2 3\r\nSUB bar 4\r\nSUB bar anyq 5\r\nSUB bar qbad 6\r\nSUB baz.1 q.x 7\r\nSUB baz.1 r 8\r\nSUB baz.1 9\r\n',
      );
      await c.roundTrip();
      expect(c.afterInfo).toBe(
        [
          `-ERR 'Permissions Violation for Subscription to "foo"'`,
          `-ERR 'Permissions Violation for Subscription to "foo" using queue "queue2"'`,
          `-ERR 'Permissions Violation for Subscription to "bar" using queue "qbad"'`,
          `-ERR 'Permissions Violation for Subscription to "baz.1" using queue "r"'`,
          `-ERR 'Permissions Violation for Subscription to "baz.1"'`,
          "PONG",
          "",
        ].join("\r\n"),
      );
      c.close();
    });

    it("allow_responses: replies to received requests only, up to max", async () => {
      const c = await RawClient.connect(srv.port);
      c.send('CONNECT {"verbose":false,"user":"responder","pass":"p"}\r\nSUB svc 1\r\nPUB elsewhere 0\r\n\r\n');
      await c.roundTrip();
      expect(c.afterInfo).toBe(`-ERR 'Permissions Violation for Publish to "elsewhere"'\r\nPONG\r\n`);
      const admin = await as("admin");
      const replies = received(admin, "inbox.r.1");
      await admin.flush();
      admin.publish("svc", "req", { reply: "inbox.r.1" });
      await admin.flush();
      await c.waitFor("MSG svc 1 inbox.r.1");
      c.send("PUB inbox.r.1 1\r\n1\r\nPUB inbox.r.1 1\r\n2\r\nPUB inbox.r.1 1\r\n3\r\nPUB inbox.never 1\r\nx\r\n");
      await c.roundTrip();
      await replies.waitFor(2);
      expect(replies.strings()).toEqual(["1", "2"]);
      expect(c.afterInfo).toContain(`-ERR 'Permissions Violation for Publish to "inbox.r.1"'`);
      expect(c.afterInfo).toContain(`-ERR 'Permissions Violation for Publish to "inbox.never"'`);
      c.close();
    });

    it("clients may not publish with the server's reserved reply prefixes", async () => {
      const c = await RawClient.connect(srv.port);
      c.send(
        'CONNECT {"verbose":false,"user":"admin","pass":"p"}\r\nPUB q $JS.ACK.x 0\r\n\r\nPUB q _R_.x 0\r\n\r\nPUB q _GR_.x 0\r\n\r\nPUB q $JS.ACK. 0\r\n\r\nPUB _GR_.x 0\r\n\r\n',
      );
      await c.roundTrip();
      expect(c.afterInfo).toBe(
        [
          `-ERR 'Permissions Violation for Publish with Reply of "$JS.ACK.x"'`,
          `-ERR 'Permissions Violation for Publish with Reply of "_R_.x"'`,
          `-ERR 'Permissions Violation for Publish with Reply of "_GR_.x"'`,
          `-ERR 'Permissions Violation for Publish to "_GR_.x"'`,
          "PONG",
          "",
        ].join("\r\n"),
      );
      c.close();
    });
  });
});

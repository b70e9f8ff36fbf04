import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Clients, received } from "./helpers/clients.js";
import { type Target, startConfigured } from "./helpers/target.js";

/** Accounts without imports or exports share nothing: the same subjects are separate worlds. */
const CONFIG = `
accounts {
  A { users: [ {user: a1, password: p}, {user: a2, password: p} ] }
  B { users: [ {user: b1, password: p}, {user: b2, password: p} ] }
}
`;

describe("tenant isolation", () => {
  let srv: Target;
  const clients = new Clients(() => srv.url);
  beforeAll(async () => {
    srv = await startConfigured(CONFIG);
  });
  afterEach(() => clients.closeAll());
  afterAll(() => srv.close());

  const as = (user: string) => clients.connect({ user, pass: "p" });

  it("literal, *, > and queue subscribers see their own account's messages only", async () => {
    const [a1, a2, b1, b2] = await Promise.all([as("a1"), as("a2"), as("b1"), as("b2")]);
    const subs = (nc: typeof a1) => ({
      literal: received(nc, "orders.new"),
      star: received(nc, "orders.*"),
      gt: received(nc, ">"),
      queue: received(nc, "orders.new", { queue: "workers" }),
    });
    const sa = subs(a2);
    const sb = subs(b2);
    await Promise.all([a2.flush(), b2.flush()]);
    for (let i = 0; i < 10; i++) a1.publish("orders.new", `a${i}`);
    for (let i = 0; i < 5; i++) b1.publish("orders.new", `b${i}`);
    await Promise.all([a1.flush(), b1.flush()]);
    await Promise.all([sa.gt.waitFor(10), sb.gt.waitFor(5), sa.queue.waitFor(10), sb.queue.waitFor(5)]);
    for (const r of Object.values(sa)) expect(r.strings().every((s) => s.startsWith("a"))).toBe(true);
    for (const r of Object.values(sb)) expect(r.strings().every((s) => s.startsWith("b"))).toBe(true);
    expect(sa.literal.msgs).toHaveLength(10);
    expect(sb.literal.msgs).toHaveLength(5);
  });

  it("a request in A that only B serves gets 503 no responders", async () => {
    const [a1, b1] = await Promise.all([as("a1"), as("b1")]);
    b1.subscribe("svc.time", { callback: (_e, m) => m.respond("from B") });
    await b1.flush();
    await expect(a1.request("svc.time", "", { timeout: 5000 })).rejects.toMatchObject({ code: "503" });
    const b2 = await as("b2");
    expect((await b2.request("svc.time", "", { timeout: 5000 })).string()).toBe("from B");
  });

  it("a client without credentials is refused when every user belongs to an account", async () => {
    await expect(clients.connect({})).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
  });
});

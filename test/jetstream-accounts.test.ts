import { connect } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Clients } from "./helpers/clients.js";
import { api, storeDir } from "./helpers/jetstream.js";
import { startTestServer } from "./helpers/server.js";
import { type Target, startConfigured } from "./helpers/target.js";

const CONFIG = (dir: string) => `
jetstream { store_dir: "${dir}" }
accounts {
  JSA { users: [ {user: jsa, password: p} ], jetstream: enabled }
  NOJS { users: [ {user: nojs, password: p} ] }
  LIM {
    users: [ {user: lim, password: p} ]
    jetstream: { max_mem: 1000000, max_file: 10000000, max_streams: 2, max_consumers: 3 }
  }
}
`;

describe("JetStream per account", () => {
  let srv: Target;
  const clients = new Clients(() => srv.url);
  beforeAll(async () => {
    srv = await startConfigured(CONFIG(storeDir()));
  });
  afterEach(() => clients.closeAll());
  afterAll(() => srv.close());
  const as = (user: string) => clients.connect({ user, pass: "p" });

  it("an account that enables JetStream has it; its streams are its own", async () => {
    const nc = await as("jsa");
    expect(nc.info?.jetstream).toBe(true);
    const r = await api(nc, "STREAM.CREATE.ORDERS", { name: "ORDERS", subjects: ["orders.>"] });
    expect(r.error).toBeUndefined();
    const other = await as("lim");
    expect((await api(other, "STREAM.NAMES")).streams).toBeNull();
  });

  it("an account without JetStream gets 'not enabled for account' (503/10039), from the raw API and the client", async () => {
    const nc = await as("nojs");
    expect(await api(nc, "INFO")).toEqual({
      type: "io.nats.jetstream.api.v1.account_info_response",
      error: { code: 503, err_code: 10039, description: "JetStream not enabled for account" },
    });
    expect((await api(nc, "STREAM.NAMES")).error).toEqual({ code: 503, err_code: 10039, description: "JetStream not enabled for account" });
    await expect(nc.jetstreamManager()).rejects.toThrow("503");
    // Publishing on what would be a stream subject elsewhere is plain core NATS here.
    await expect(nc.request("orders.new", "x", { timeout: 2000 })).rejects.toMatchObject({ code: "503" });
  });

  it("account limits: reported, and enforced on streams and storage reservations", async () => {
    const nc = await as("lim");
    const info = await api(nc, "INFO");
    expect(info.limits).toMatchObject({ max_memory: 1000000, max_storage: 10000000, max_streams: 2, max_consumers: 3 });
    expect((await api(nc, "STREAM.CREATE.S1", { name: "S1", subjects: ["s1"] })).error).toBeUndefined();
    expect((await api(nc, "STREAM.CREATE.S2", { name: "S2", subjects: ["s2"] })).error).toBeUndefined();
    expect((await api(nc, "STREAM.CREATE.S3", { name: "S3", subjects: ["s3"] })).error).toEqual({
      code: 400,
      err_code: 10027,
      description: "maximum number of streams reached",
    });
    await api(nc, "STREAM.DELETE.S2");
    expect(((await api(nc, "STREAM.CREATE.S2", { name: "S2", subjects: ["s2"], storage: "memory", max_bytes: 2000000 })).error as { err_code: number }).err_code).toBe(10028);
    expect(((await api(nc, "STREAM.CREATE.S2", { name: "S2", subjects: ["s2"], max_bytes: 20000000 })).error as { err_code: number }).err_code).toBe(10047);
  });
});

describe("a server without JetStream", () => {
  it("has no JetStream API at all: no responders", async () => {
    const srv = await startTestServer();
    try {
      const nc = await connect({ servers: srv.url });
      expect(nc.info?.jetstream).toBeUndefined();
      await expect(nc.request("$JS.API.INFO", "", { timeout: 2000 })).rejects.toMatchObject({ code: "503" });
      await nc.close();
    } finally {
      await srv.close();
    }
  });
});

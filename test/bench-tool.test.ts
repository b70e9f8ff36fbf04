import { spawn } from "node:child_process";
import { type Server, type Socket, createServer } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ScenarioName, runScenario } from "@tsnats/bench/dist/scenarios/index.js";
import { JsApi } from "@tsnats/bench/dist/jsapi.js";
import { DEFAULTS, type BenchOptions } from "@tsnats/bench/dist/options.js";
import { XACCT_API_PREFIX, xacctConfig } from "@tsnats/bench/dist/xacct-config.js";
import { nkeys } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeDir } from "./helpers/jetstream.js";
import { type Target, startConfigured } from "./helpers/target.js";

/**
 * tsnats-bench measures real servers, so its own tests run it, small, against one: every scenario
 * must finish with its correctness checks passing (nothing lost or duplicated, streams and consumers
 * in the state the run promises), across accounts too, and bad input must fail clearly.
 */
const BENCH_MAIN = fileURLToPath(new URL("../apps/bench/dist/main.js", import.meta.url));
const nkeyUser = nkeys.createUser();

const CONFIG = () =>
  xacctConfig(storeDir(), [`{ nkey: ${nkeyUser.getPublicKey()} }`, `{ user: noapi, password: p, permissions: { publish: { deny: ["$JS.API.>"] } } }`]);

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BENCH_MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("tsnats-bench", () => {
  let srv: Target;
  const opts = (o: Partial<BenchOptions> = {}): BenchOptions => ({
    ...DEFAULTS,
    server: { host: "127.0.0.1", port: srv.port },
    creds: { user: "jsa", pass: "p" },
    msgs: 3000,
    ...o,
  });
  const failed = (r: { checks: { ok: boolean; name: string; detail?: string }[] }) => r.checks.filter((c) => !c.ok);

  beforeAll(async () => {
    srv = await startConfigured(CONFIG());
  });
  afterAll(async () => {
    await srv.close();
  });

  const cases: Array<[ScenarioName, Partial<BenchOptions>]> = [
    ["pub", { pubs: 2 }],
    ["pubsub", { pubs: 2, subs: 2 }],
    ["fanout", { subs: 4 }],
    ["queue", { pubs: 2, subs: 3 }],
    ["req", { msgs: 500 }],
    ["req", { window: 32, pubs: 2, subs: 2 }],
    ["js pub", { window: 64 }],
    ["js pub", { sync: true, storage: "memory", msgs: 300 }],
    ["js pull", { subs: 2, batch: 100 }],
    ["js pull", { ack: "none" }],
    ["js push", {}],
    ["js push", { subs: 2, ack: "none" }],
    ["kv put", { keys: 100, window: 64, pubs: 2 }],
    ["kv get", { keys: 100, window: 8 }],
  ];
  for (const [name, o] of cases) {
    it(`${name} ${JSON.stringify(o)}: passes its checks`, async () => {
      const r = await runScenario(name, opts(o));
      expect(failed(r)).toEqual([]);
      expect(r.checks.length).toBeGreaterThan(0);
      expect(r.rates[0].msgs).toBeGreaterThan(0);
      expect(r.rates.every((x) => x.seconds > 0)).toBe(true);
    });
  }

  it("payloads too small for a stamp are counted, not checked for order", async () => {
    const r = await runScenario("pubsub", opts({ size: 4, subs: 2 }));
    expect(failed(r)).toEqual([]);
    expect(r.rates[1].msgs).toBe(3000 * 2);
  });

  it("kv put with fewer puts per publisher than keys: the publishers cover different keys", async () => {
    const r = await runScenario("kv put", opts({ msgs: 200, pubs: 2, keys: 1000, window: 16 }));
    expect(failed(r)).toEqual([]);
  });

  it("an API call refused by permissions fails the run at once with the server's error", async () => {
    await expect(runScenario("js pub", opts({ creds: { user: "noapi", pass: "p" } }))).rejects.toThrow(/Permissions Violation/);
  });

  it("req reports latency percentiles in order", async () => {
    const r = await runScenario("req", opts({ msgs: 300 }));
    const l = r.latency!;
    expect(l.p50).toBeGreaterThan(0);
    expect(l.p50).toBeLessThanOrEqual(l.p90);
    expect(l.p90).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.max);
  });

  it("sub counts what another client publishes, stamps and all", async () => {
    let started!: () => void;
    const ready = new Promise<void>((r) => (started = r));
    const sub = runScenario("sub", opts({ subs: 2 }), { started });
    await ready;
    const pub = await runScenario("pub", opts());
    expect(failed(pub)).toEqual([]);
    expect(failed(await sub)).toEqual([]);
  });

  it("consumes a stream in another account through the imported API and deliver subject", async () => {
    const u = { creds: { user: "u", pass: "p" }, api: XACCT_API_PREFIX };
    for (const name of ["js pull", "js push", "js pub"] as const) {
      const r = await runScenario(name, opts(u));
      expect(failed(r), name).toEqual([]);
    }
  });

  it("signs the nonce with an nkey seed file", async () => {
    const file = join(storeDir(), "user.nk");
    writeFileSync(file, new TextDecoder().decode(nkeyUser.getSeed()));
    const r = await runScenario("pubsub", opts({ creds: { nkeyFile: file } }));
    expect(failed(r)).toEqual([]);
  });

  it("a stream the server refuses fails the run with the API error", async () => {
    // The same subject as an existing stream: 10065 subjects overlap.
    await runScenario("js pub", opts({ stream: "FIRST", subject: "refuse.x" }));
    try {
      await expect(runScenario("js pub", opts({ stream: "SECOND", subject: "refuse.x" }))).rejects.toThrow(/10065/);
    } finally {
      const api = await JsApi.open(opts().server, opts().creds);
      await api.dropStream("FIRST");
      api.close();
    }
  });

  it("the CLI prints JSON results and exits 0 when every check passes", async () => {
    const r = await run(["pubsub", "js", "pub", "--msgs", "1000", "--json", "-s", `127.0.0.1:${srv.port}`, "--user", "jsa", "--password", "p"]);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as Array<{ scenario: string; checks: { ok: boolean }[]; serverCpu?: number }>;
    expect(results.map((x) => x.scenario)).toEqual(["pubsub", "js pub"]);
    // The server listens on this machine: the tool found its process and reports its CPU.
    expect(typeof results[0].serverCpu).toBe("number");
    expect(results.every((x) => x.checks.every((c) => c.ok))).toBe(true);
  });

  it("the CLI prints a line per result and a summary table", async () => {
    const r = await run(["pub", "--msgs", "1000", "-s", `127.0.0.1:${srv.port}`, "--user", "jsa", "--password", "p"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^pub: pub [\d,]+ msgs\/s/m);
    expect(r.stdout).toMatch(/scenario\s+measured\s+msgs\s+msgs\/s\s+MB\/s/);
  });

  it("wrong credentials: a clear error, exit code 2", async () => {
    const r = await run(["pub", "--msgs", "10", "-s", `127.0.0.1:${srv.port}`, "--user", "jsa", "--password", "wrong"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Authorization Violation/i);
  });

  it("an unknown scenario: a clear error naming the known ones", async () => {
    const r = await run(["js", "fly", "-s", `127.0.0.1:${srv.port}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown scenario "js fly".*js pull/);
  });

  it("no server: a clear error", async () => {
    const r = await run(["pub", "--msgs", "10", "-s", "127.0.0.1:1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ECONNREFUSED/);
  });
});

/** A socket server that is not a NATS server, to see the tool fail clearly instead of hanging. */
async function fakeServer(onSocket: (s: Socket) => void): Promise<{ port: number; server: Server }> {
  const server = createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as { port: number }).port, server };
}

describe("tsnats-bench against a server that misbehaves", () => {
  const base = (port: number, o: Partial<BenchOptions> = {}): BenchOptions => ({ ...DEFAULTS, server: { host: "127.0.0.1", port }, creds: {}, msgs: 20, ...o });

  it("a connection closed before INFO: the run fails with that", async () => {
    const { port, server } = await fakeServer((s) => s.destroy());
    try {
      await expect(runScenario("pub", base(port))).rejects.toThrow(/connection closed|ECONNRESET/);
    } finally {
      server.close();
    }
  });

  it("requests that are never answered: the run fails once nothing moves for --stall", async () => {
    // Says INFO and answers PINGs, and nothing else: subscribers see nothing, requests get no answer.
    const { port, server } = await fakeServer((s) => {
      s.write('INFO {"server_id":"FAKE","max_payload":1048576}\r\n');
      s.on("data", (d: Buffer) => {
        for (let i = d.indexOf("PING"); i >= 0; i = d.indexOf("PING", i + 4)) s.write("PONG\r\n");
      });
      s.on("error", () => {});
    });
    try {
      await expect(runScenario("req", base(port, { stallMs: 300 }))).rejects.toThrow(/stalled for 300 ms: 0 of 1 requests answered/);
    } finally {
      server.close();
    }
  });
});


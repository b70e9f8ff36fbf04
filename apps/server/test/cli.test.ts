import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";
import { afterEach, describe, expect, it } from "vitest";
import { type ServerProcess, runServer } from "../../../test/helpers/process.js";

const running: ServerProcess[] = [];
function start(args: string[], env: NodeJS.ProcessEnv = {}): ServerProcess {
  const p = runServer(args, env);
  running.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop("SIGKILL")));
});

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "tsnats-cli-"));
}

async function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", () => resolve(true));
  });
}

describe("tsnats-server CLI", () => {
  it("starts with flags, serves the nats client, and exits 0 on SIGTERM", async () => {
    const p = start(["-a", "127.0.0.1", "-p", "-1", "-n", "cli-test", "--log_format", "json"]);
    const port = await p.ready();
    const nc = await connect({ servers: `127.0.0.1:${port}` });
    expect(nc.info?.server_name).toBe("cli-test");
    const sub = nc.subscribe("x", { max: 1 });
    nc.publish("x", "hi");
    for await (const m of sub) expect(m.string()).toBe("hi");
    await nc.close();
    expect(await p.stop("SIGTERM")).toBe(0);
    expect(p.output).toContain("Server Exiting");
    expect(await portIsClosed(port)).toBe(true);
  });

  it("logs JSON lines when not on a terminal, with the connection id on connection lines", async () => {
    const p = start(["-a", "127.0.0.1", "-p", "-1", "-D"]);
    const port = await p.ready();
    const nc = await connect({ servers: `127.0.0.1:${port}` });
    await nc.close();
    await p.stop();
    const lines = p.stderr.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.msg === "Server is ready")).toBe(true);
    expect(lines.some((l) => typeof l.cid === "number" && String(l.msg).includes("Client connection created"))).toBe(true);
  });

  it("accepts nats-server's Go-style and multi-letter flags", async () => {
    const dir = tmp();
    const p = start(["-addr", "127.0.0.1", "-port", "-1", "-js", "-sd", dir, "-DV", "--ports_file_dir", dir, "--cluster_name", "c1"]);
    const port = await p.ready();
    const ports = readdirSync(dir).filter((f) => f.endsWith(".ports"));
    expect(ports, p.output).toEqual([`tsnats-server_${p.child.pid}.ports`]);
    expect(JSON.parse(readFileSync(join(dir, ports[0]), "utf8"))).toEqual({ nats: [`nats://127.0.0.1:${port}`] });
    expect(await p.stop(), p.output).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith(".ports"))).toEqual([]);
  });

  it("reads a config file; flags override it", async () => {
    const dir = tmp();
    const conf = join(dir, "server.conf");
    writeFileSync(
      conf,
      [
        "# a tsnats config",
        "listen: 127.0.0.1:-1",
        "server_name: from-file",
        "max_payload: 2KB",
        'ping_interval: "2m"',
        "authorization {",
        "  user: derek",
        "  password: $SECRET",
        "}",
      ].join("\n"),
    );
    const p = start(["-c", conf, "-n", "from-flag"], { SECRET: "pw" });
    const port = await p.ready();
    const nc = await connect({ servers: `127.0.0.1:${port}`, user: "derek", pass: "pw" });
    expect(nc.info?.server_name).toBe("from-flag");
    expect(nc.info?.max_payload).toBe(2048);
    await nc.close();
    await expect(connect({ servers: `127.0.0.1:${port}`, user: "derek", pass: "x", reconnect: false })).rejects.toMatchObject({
      code: "AUTHORIZATION_VIOLATION",
    });
    expect(await p.stop("SIGINT")).toBe(0);
  });

  it("-t reports a good config file as valid and exits 0", async () => {
    const dir = tmp();
    const conf = join(dir, "ok.conf");
    writeFileSync(conf, "port: 4555\nmax_connections: 10\n");
    const p = start(["-t", "-c", conf]);
    expect(await p.exited).toBe(0);
    expect(p.stderr).toContain(`configuration file ${conf} is valid`);
  });

  it("-t on a bad config names file:line:col and exits 1", async () => {
    const dir = tmp();
    const conf = join(dir, "bad.conf");
    writeFileSync(conf, "port: 4555\nfoo: bar\n");
    const p = start(["-t", "-c", conf]);
    expect(await p.exited).toBe(1);
    expect(p.stderr).toContain(`${conf}:2:1: unknown field "foo"`);

    const syntax = join(dir, "syntax.conf");
    writeFileSync(syntax, "port: 4555\nauthorization {\n  user: a\n");
    const q = start(["-t", "-c", syntax]);
    expect(await q.exited).toBe(1);
    expect(q.stderr).toMatch(new RegExp(`${syntax.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: `));
  });

  it("a bad config file: exits non-zero without listening", async () => {
    const dir = tmp();
    const conf = join(dir, "bad.conf");
    writeFileSync(conf, "listen: 127.0.0.1:4556\nwrite_deadline: 3\n");
    const p = start(["-c", conf]);
    expect(await p.exited).toBe(1);
    expect(p.stderr).toContain("write_deadline");
    expect(p.output).not.toContain("Listening for client connections");
    expect(await portIsClosed(4556)).toBe(true);
  });

  it("-v prints the version; --help lists the flags", async () => {
    const v = start(["-v"]);
    expect(await v.exited).toBe(0);
    expect(v.stdout).toMatch(/tsnats-server: v\d+\.\d+\.\d+/);
    const h = start(["--help"]);
    expect(await h.exited).toBe(0);
    for (const flag of ["--addr", "--port", "--config", "--jetstream", "--store_dir", "--routes", "--cluster_name", "--http_port"]) {
      expect(h.stdout).toContain(flag);
    }
  });

  it("--shards and --shards_in_process choose the routing core's layout", async () => {
    const p = start(["-a", "127.0.0.1", "-p", "-1", "--shards", "3", "--shards_in_process"]);
    const port = await p.ready();
    expect(p.output).toContain("3 shard(s) in-process");
    const nc = await connect({ servers: `127.0.0.1:${port}` });
    const sub = nc.subscribe("x", { max: 1 });
    nc.publish("x", "hi");
    for await (const m of sub) expect(m.string()).toBe("hi");
    await nc.close();
    expect(await p.stop()).toBe(0);
  });

  it("an unknown flag is an error", async () => {
    const p = start(["--no-such-flag"]);
    expect(await p.exited).not.toBe(0);
    expect(p.stderr).toContain("unknown option");
  });

  it("writes a pid file and serves HTTP monitoring", async () => {
    const dir = tmp();
    const pidFile = join(dir, "server.pid");
    const p = start(["-a", "127.0.0.1", "-p", "-1", "-m", "-1", "-P", pidFile, "--ports_file_dir", dir]);
    await p.ready();
    expect(readFileSync(pidFile, "utf8")).toBe(String(p.child.pid));
    const ports = JSON.parse(readFileSync(join(dir, `tsnats-server_${p.child.pid}.ports`), "utf8")) as { monitoring: string[] };
    const health = (await (await fetch(`${ports.monitoring[0]}/healthz`)).json()) as { status: string };
    expect(health.status).toBe("ok");
    const varz = (await (await fetch(`${ports.monitoring[0]}/varz`)).json()) as { version: string; connections: number };
    expect(varz.version).toBe("2.10.0");
    await p.stop();
  });
});

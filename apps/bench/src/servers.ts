// The two servers under comparison, started as separate processes on a free port: tsnats (the built
// CLI of this repository) and nats-server (a binary on PATH), each with an optional config file.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export type ServerKind = "tsnats" | "nats-server";

const TSNATS_CLI = fileURLToPath(new URL("../../server/dist/main.js", import.meta.url));

export interface RunningServer {
  kind: ServerKind;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function natsServerVersion(binary: string): string | undefined {
  try {
    return execFileSync(binary, ["-v"]).toString().trim();
  } catch {
    return undefined;
  }
}

export interface StartOptions {
  /** The nats-server binary (default: `nats-server` on PATH). */
  natsServer?: string;
  /** Config file text; `$STORE_DIR` in it stands for the JetStream folder. */
  config?: string;
  /** Without a config: `-js -sd <folder>`. */
  jetstream: boolean;
  /** A JetStream folder kept across starts (a restart test); by default a fresh one, removed on stop. */
  storeDir?: string;
}

/** Starts a server on a free port, with its JetStream data in `storeDir` or a fresh folder removed on stop. */
export async function startServer(kind: ServerKind, opts: StartOptions): Promise<RunningServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tsnats-bench-"));
  const store = opts.storeDir ?? join(dir, "store");
  const args = ["-a", "127.0.0.1", "-p", String(port)];
  if (opts.config !== undefined) {
    const file = join(dir, "server.conf");
    writeFileSync(file, opts.config.replaceAll("$STORE_DIR", store));
    args.push("-c", file);
  } else if (opts.jetstream) {
    args.push("-js", "-sd", store);
  }
  const child: ChildProcess =
    kind === "tsnats"
      ? // Started as `pnpm start` and the tsnats-server executable start it: with the Node flags the README explains.
        spawn(process.execPath, ["--initial-heap-size=64", "--v8-pool-size=1", TSNATS_CLI, ...args, "--log_format", "json"], { stdio: ["ignore", "ignore", "pipe"] })
      : spawn(opts.natsServer ?? "nats-server", args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr!.on("data", (d: Buffer) => {
    if (log.length < 100_000) log += d.toString();
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  for (let i = 0; i < 1000 && !log.includes("Server is ready") && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 10));
  if (!log.includes("Server is ready")) {
    child.kill("SIGKILL");
    throw new Error(`${kind} did not start:\n${log}`);
  }
  return {
    kind,
    port,
    pid: child.pid!,
    async stop() {
      child.kill("SIGTERM");
      // A server that does not stop in 10 s is killed.
      const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

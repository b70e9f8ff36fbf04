import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "@tsnats/config";
import { type ServerHandle, type StartOptions, optionsFromConfig, silentLogger, startServer } from "@tsnats/server";
import { waitUntil } from "./wait.js";

/**
 * A server under test started from config text. Normally tsnats (in this process, real TCP, real shard
 * worker threads); with TSNATS_TEST_TARGET=nats-server the same config runs on the real nats-server, to
 * check that the tests expect what nats-server does.
 */
export interface Target {
  readonly url: string;
  readonly port: number;
  /** The tsnats server, when the target is tsnats. */
  readonly tsnats: ServerHandle | undefined;
  close(): Promise<void>;
}

export const AGAINST_NATS_SERVER = process.env.TSNATS_TEST_TARGET === "nats-server";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startConfigured(config: string, extra: StartOptions = {}): Promise<Target> {
  if (AGAINST_NATS_SERVER) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "tsnats-ns-"));
    const file = join(dir, "server.conf");
    writeFileSync(file, config);
    const child = spawn("nats-server", ["-c", file, "-a", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
    let out = "";
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    await waitUntil(() => out.includes("Server is ready") || child.exitCode !== null, 10_000, "nats-server ready");
    if (!out.includes("Server is ready")) throw new Error(`nats-server did not start: ${out}`);
    return {
      url: `nats://127.0.0.1:${port}`,
      port,
      tsnats: undefined,
      close: async () => {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      },
    };
  }
  const opts = optionsFromConfig(parseConfig(config, { filename: "test.conf" }), "test.conf");
  const h = await startServer({ ...opts, host: "127.0.0.1", port: -1, logger: silentLogger(), ...extra });
  return { url: h.url, port: h.port, tsnats: h, close: () => h.close() };
}

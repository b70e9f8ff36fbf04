// Starting the servers under comparison as separate processes: tsnats (the built CLI) and nats-server
// (found on PATH), optionally with a config file; and reading a process's CPU time.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const TSNATS = fileURLToPath(new URL("../../apps/server/dist/main.js", import.meta.url));

/** kind: "tsnats" | "nats-server"; extra: more CLI flags; config: config file text (optional). */
export async function startServer(kind, port, { extra = [], config } = {}) {
  const args = ["-a", "127.0.0.1", "-p", String(port), ...extra];
  if (config !== undefined) {
    const file = join(mkdtempSync(join(tmpdir(), "tsnats-bench-")), "server.conf");
    writeFileSync(file, config);
    args.push("-c", file);
  }
  const child =
    kind === "tsnats"
      ? spawn(process.execPath, [TSNATS, ...args, "--log_format", "json"], { stdio: ["ignore", "ignore", "pipe"] })
      : spawn("nats-server", args, { stdio: ["ignore", "ignore", "pipe"] });
  let out = "";
  child.stderr.on("data", (d) => (out += d));
  for (let i = 0; i < 1000 && !out.includes("Server is ready"); i++) await new Promise((r) => setTimeout(r, 10));
  if (!out.includes("Server is ready")) {
    child.kill("SIGKILL");
    throw new Error(`${kind} did not start: ${out}`);
  }
  return {
    child,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `nats-server -v` as it prints it, or "?" when there is none on PATH. */
export function natsServerVersion() {
  try {
    return execFileSync("nats-server", ["-v"]).toString().trim();
  } catch {
    return "?";
  }
}

export const fmtInt = (x) => Math.round(x).toLocaleString("en-US");

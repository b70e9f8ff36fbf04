import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { waitUntil } from "./wait.js";

/** The built CLI entry point, run with `node` exactly as users and harnesses do. */
export const SERVER_MAIN = fileURLToPath(new URL("../../apps/server/dist/main.js", import.meta.url));

/** A `tsnats-server` child process with its output captured. */
export class ServerProcess {
  stdout = "";
  stderr = "";
  exitCode: number | null = null;
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on("data", (d: Buffer) => (this.stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) =>
      child.on("exit", (code) => {
        this.exitCode = code;
        resolve(code);
      }),
    );
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  /** Waits for "Server is ready" and returns the client port from the listening line. */
  async ready(timeoutMs = 15_000): Promise<number> {
    await waitUntil(() => this.output.includes("Server is ready") || this.exitCode !== null, timeoutMs, "Server is ready");
    if (!this.output.includes("Server is ready")) throw new Error(`server exited (${this.exitCode}): ${this.output}`);
    const m = /Listening for client connections on (\S+):(\d+)/.exec(this.output);
    if (!m) throw new Error(`no listening line in: ${this.output}`);
    return Number(m[2]);
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    if (this.exitCode === null) this.child.kill(signal);
    return this.exited;
  }
}

export function runServer(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): ServerProcess {
  const child = spawn(process.execPath, [SERVER_MAIN, ...args], {
    env: { ...process.env, ...env },
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new ServerProcess(child);
}

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Server } from "./server.js";

/**
 * The executable's name for the ports file, as nats-server uses its own (`<exe>_<pid>.ports`): the name the
 * process was started by, so a harness that runs tsnats in place of nats-server finds the file it expects.
 */
function exeName(): string {
  const script = process.argv[1];
  if (script === undefined) return "tsnats-server";
  const name = basename(script).replace(/\.(c|m)?js$/, "");
  return name === "main" || name === "" ? "tsnats-server" : name;
}

function portsFilePath(server: Server): string | undefined {
  const dir = server.opts.portsFileDir;
  return dir === undefined ? undefined : join(dir, `${exeName()}_${process.pid}.ports`);
}

function dialHost(host: string): string {
  return host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
}

/** Writes the pid file and the ports file (`{"nats": ["nats://host:port"], "monitoring": [...]}`) if asked for. */
export function writeRuntimeFiles(server: Server): void {
  const o = server.opts;
  if (o.pidFile !== undefined) writeFileSync(o.pidFile, String(process.pid));
  const ports = portsFilePath(server);
  if (ports !== undefined) {
    const host = dialHost(o.host);
    const content: Record<string, string[]> = { nats: [`nats://${host}:${server.port}`] };
    if (server.monitorPort !== undefined) content.monitoring = [`http://${dialHost(o.httpHost ?? o.host)}:${server.monitorPort}`];
    mkdirSync(o.portsFileDir!, { recursive: true });
    writeFileSync(ports, JSON.stringify(content));
  }
}

export function removeRuntimeFiles(server: Server): void {
  const ports = portsFilePath(server);
  if (ports !== undefined) rmSync(ports, { force: true });
  if (server.opts.pidFile !== undefined) rmSync(server.opts.pidFile, { force: true });
}

// CPU used by this process (every thread: the load generator) and by the server's process (Linux /proc),
// so a reader can tell which side limited a figure.
import { readFileSync } from "node:fs";

/** CPU seconds (user + system) a process has used, from /proc; undefined when it cannot be read. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** A point to measure CPU from: busy cores since then = CPU seconds / wall seconds. */
export class CpuMark {
  private readonly wall = performance.now();
  private readonly client = process.cpuUsage();
  private readonly server: number | undefined;

  constructor(private readonly serverPid?: number) {
    this.server = serverPid === undefined ? undefined : processCpuSeconds(serverPid);
  }

  /** Cores busy on average since the mark: this process, and the server when its pid is known. */
  since(): { client: number; server: number | undefined; wallSeconds: number } {
    const wallSeconds = (performance.now() - this.wall) / 1000;
    const c = process.cpuUsage(this.client);
    const s1 = this.serverPid === undefined ? undefined : processCpuSeconds(this.serverPid);
    return {
      client: (c.user + c.system) / 1e6 / wallSeconds,
      server: this.server !== undefined && s1 !== undefined ? (s1 - this.server) / wallSeconds : undefined,
      wallSeconds,
    };
  }
}

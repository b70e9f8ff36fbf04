// CPU used by this process (every thread: the load generator) and by the server's process (Linux /proc),
// so a reader can tell which side limited a figure.
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

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

/**
 * The process listening on `port` on this machine (Linux: the socket's inode from /proc/net/tcp{,6}, then
 * the process holding it), so a run against a local server reports its CPU without --server-pid.
 */
export function findListenerPid(port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is ip:port in hex; state 0A is LISTEN; the inode is the tenth field.
      if (f.length > 9 && f[1].endsWith(`:${hexPort}`) && f[3] === "0A") inodes.add(f[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process, or gone
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith("socket:[") && inodes.has(target.slice(8, -1))) return Number(pid);
      } catch {}
    }
  }
  return undefined;
}

// Side by side: the same scenarios against tsnats and nats-server in one run. Each round starts both
// servers fresh per group of scenarios and measures each case on one then the other (the order
// alternating, so neither always runs on a warmer machine); the table shows medians, the median of the
// rounds' ratios tsnats/nats-server and each side's CPU.
import { DEFAULTS, type BenchOptions } from "./options.js";
import { Progress, fmtCpu, fmtInt, fmtUs, table } from "./report.js";
import { type ScenarioName, runScenario } from "./scenarios/index.js";
import { type ScenarioResult, median, msgsPerSec } from "./scenarios/result.js";
import { type ServerKind, natsServerVersion, startServer } from "./servers.js";
import { XACCT_API_PREFIX, xacctConfig } from "./xacct-config.js";

interface Case {
  title: string;
  scenario: ScenarioName;
  opts: Partial<BenchOptions>;
  /** Compare latency p50 (lower is better) instead of throughput. */
  latency?: boolean;
}

interface Group {
  name: string;
  jetstream: boolean;
  config?: string;
  cases: (msgs: number) => Case[];
}


const JSA = { creds: { user: "jsa", pass: "p" } };
const U = { creds: { user: "u", pass: "p" }, api: XACCT_API_PREFIX };

const GROUPS: Group[] = [
  {
    name: "core",
    jetstream: false,
    cases: (msgs) => [
      { title: "pub, 1 publisher", scenario: "pub", opts: { msgs: msgs * 5 } },
      { title: "pubsub, 1:1", scenario: "pubsub", opts: { msgs: msgs * 2 } },
      { title: "fanout, 1:4 (deliveries)", scenario: "fanout", opts: { msgs, subs: 4 } },
      { title: "queue, 1 publisher, 4 members", scenario: "queue", opts: { msgs: msgs * 2, subs: 4 } },
      { title: "req, sequential: p50", scenario: "req", opts: { msgs: Math.max(1000, Math.floor(msgs / 40)), window: 1 }, latency: true },
      { title: "req, window 64", scenario: "req", opts: { msgs, window: 64 } },
    ],
  },
  {
    name: "js",
    jetstream: true,
    cases: (msgs) => [
      { title: "js pub async, file", scenario: "js pub", opts: { msgs, window: 256, storage: "file" } },
      { title: "js pub async, memory", scenario: "js pub", opts: { msgs, window: 256, storage: "memory" } },
      { title: "js pub async, file, 1 KiB", scenario: "js pub", opts: { msgs: Math.floor(msgs / 2), window: 256, storage: "file", size: 1024 } },
      { title: "js pub async, memory, 1 KiB", scenario: "js pub", opts: { msgs: Math.floor(msgs / 2), window: 256, storage: "memory", size: 1024 } },
      { title: "js pub sync, file", scenario: "js pub", opts: { msgs: Math.max(1000, Math.floor(msgs / 50)), sync: true, window: 1, storage: "file" } },
      { title: "js pub sync, memory", scenario: "js pub", opts: { msgs: Math.max(1000, Math.floor(msgs / 50)), sync: true, window: 1, storage: "memory" } },
      { title: "js pull, explicit acks", scenario: "js pull", opts: { msgs } },
      { title: "js push, explicit acks", scenario: "js push", opts: { msgs } },
      { title: "kv put, window 256", scenario: "kv put", opts: { msgs: Math.floor(msgs / 2), window: 256 } },
      { title: "kv get, sequential: p50", scenario: "kv get", opts: { msgs: Math.max(1000, Math.floor(msgs / 40)), window: 1 }, latency: true },
    ],
  },
  {
    name: "xacct",
    jetstream: true,
    config: xacctConfig("$STORE_DIR"),
    cases: (msgs) => [
      { title: "js pull, own account", scenario: "js pull", opts: { msgs, ...JSA } },
      { title: "js pull, across accounts", scenario: "js pull", opts: { msgs, ...U } },
      { title: "js push, own account", scenario: "js push", opts: { msgs, ...JSA } },
      { title: "js push, across accounts", scenario: "js push", opts: { msgs, ...U } },
    ],
  },
];

export interface CompareOptions {
  rounds: number;
  msgs: number;
  /** Share of each case's messages run once, unmeasured, on each fresh server before the group is measured. */
  warmup: number;
  groups: string[];
  natsServer: string;
  json: boolean;
}

interface Sample {
  value: number;
  serverCpu: number | undefined;
  clientCpu: number;
  ok: boolean;
}

function sampleOf(c: Case, r: ScenarioResult): Sample {
  const value = c.latency ? (r.latency?.p50 ?? Number.NaN) : msgsPerSec(r.rates[r.rates.length - 1]);
  return { value, serverCpu: r.serverCpu, clientCpu: r.clientCpu, ok: r.checks.every((x) => x.ok) };
}

export async function runCompare(opts: CompareOptions): Promise<void> {
  const version = natsServerVersion(opts.natsServer);
  if (version === undefined) throw new Error(`${opts.natsServer} not found (apt-get install -y nats-server)`);
  const groups = GROUPS.filter((g) => opts.groups.includes(g.name));
  const samples = new Map<string, Record<ServerKind, Sample[]>>();
  const failures: string[] = [];
  const progress = new Progress();
  for (let round = 0; round < opts.rounds; round++) {
    const order: ServerKind[] = round % 2 === 0 ? ["tsnats", "nats-server"] : ["nats-server", "tsnats"];
    for (const group of groups) {
      // Both servers run for the group (the one not measured idles), so that each case is measured on both
      // back to back: on a shared host the speed drifts over minutes, and a pair of runs seconds apart sees
      // the same machine (the ratio is the median of the pairs' ratios).
      const servers = new Map<ServerKind, Awaited<ReturnType<typeof startServer>>>();
      try {
        for (const kind of order) servers.set(kind, await startServer(kind, { natsServer: opts.natsServer, config: group.config, jetstream: group.jetstream }));
        const optionsOf = (kind: ServerKind, c: Case): BenchOptions => {
          const server = servers.get(kind)!;
          return { ...DEFAULTS, server: { host: "127.0.0.1", port: server.port }, creds: {}, serverPid: server.pid, ...c.opts };
        };
        // A fresh process has not compiled its hot paths yet (tsnats' JIT; the Go runtime needs no
        // warm-up): a short unmeasured run of each case first, for both servers alike.
        if (opts.warmup > 0) {
          for (const kind of order) {
            for (const c of group.cases(opts.msgs)) {
              const o = optionsOf(kind, c);
              await runScenario(c.scenario, { ...o, msgs: Math.max(100, Math.floor(o.msgs * opts.warmup)) });
            }
          }
        }
        for (const [i, c] of group.cases(opts.msgs).entries()) {
          const bucket = samples.get(c.title) ?? { tsnats: [], "nats-server": [] };
          samples.set(c.title, bucket);
          // The order alternates per case too: neither server always runs right after the other's load.
          for (const kind of i % 2 === 0 ? order : [...order].reverse()) {
            const o = optionsOf(kind, c);
            const r = await runScenario(c.scenario, o, { progress: (roles) => progress.update(c.scenario, roles.progress(), o.msgs) });
            progress.clear();
            const s = sampleOf(c, r);
            bucket[kind].push(s);
            if (!s.ok) failures.push(`${kind} ${c.title}: ${r.checks.filter((x) => !x.ok).map((x) => `${x.name}: ${x.detail}`).join("; ")}`);
            const shown = c.latency ? fmtUs(s.value) : `${fmtInt(s.value)} msgs/s`;
            process.stderr.write(`round ${round + 1} ${kind.padEnd(11)} ${c.title}: ${shown} (server CPU ${fmtCpu(s.serverCpu)}, client CPU ${fmtCpu(s.clientCpu)})${s.ok ? "" : " CHECKS FAILED"}\n`);
          }
        }
      } finally {
        for (const server of servers.values()) await server.stop();
      }
    }
  }
  const rows: string[][] = [];
  const out: Record<string, unknown>[] = [];
  for (const group of groups) {
    for (const c of group.cases(opts.msgs)) {
      const s = samples.get(c.title)!;
      const t = median(s.tsnats.map((x) => x.value));
      const n = median(s["nats-server"].map((x) => x.value));
      const cpu = (xs: Sample[], k: "serverCpu" | "clientCpu") => median(xs.map((x) => x[k] ?? Number.NaN));
      // Ratios read "how much of nats-server's figure": for latency, nats-server's p50 over ours. Each
      // round's pair gives one; the median of those is shown.
      const pairs = s.tsnats.map((x, k) => (c.latency ? s["nats-server"][k].value / x.value : x.value / s["nats-server"][k].value));
      const ratio = median(pairs);
      const fmt = (v: number) => (c.latency ? fmtUs(v) : fmtInt(v));
      rows.push([c.title, fmt(t), fmt(n), ratio.toFixed(2), `${Math.min(...pairs).toFixed(2)}-${Math.max(...pairs).toFixed(2)}`, fmtCpu(cpu(s.tsnats, "serverCpu")), fmtCpu(cpu(s["nats-server"], "serverCpu")), fmtCpu(cpu(s.tsnats, "clientCpu")), fmtCpu(cpu(s["nats-server"], "clientCpu"))]);
      out.push({ group: group.name, case: c.title, unit: c.latency ? "µs p50" : "msgs/s", tsnats: t, nats_server: n, ratio, pairs, tsnats_server_cpu: cpu(s.tsnats, "serverCpu"), nats_server_cpu: cpu(s["nats-server"], "serverCpu") });
    }
  }
  const header = `${new Date().toISOString()}  ${opts.rounds} rounds, medians (ratio: median of the rounds' paired ratios); ${version}; node ${process.version}; ${opts.msgs} msgs base, 128 B unless noted; warm-up ${Math.round(opts.warmup * 100)}% per case`;
  if (opts.json) console.log(JSON.stringify({ header, results: out, failures }, null, 2));
  else {
    console.log(header);
    console.log(table(["scenario", "tsnats", "nats-server", "ratio", "pairs", "tsnats CPU", "nats-server CPU", "client CPU (ts)", "client CPU (ns)"], rows));
    console.log("ratio: tsnats/nats-server throughput, per round, median (pairs: the rounds' lowest and highest); for p50 rows nats-server's latency over tsnats' (above 1 = tsnats faster)");
    for (const f of failures) console.log(`CHECK FAILED: ${f}`);
  }
  if (failures.length > 0) process.exitCode = 1;
}

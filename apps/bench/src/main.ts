// tsnats-bench: measures a NATS server the way `nats bench` does (any server: tsnats, nats-server), and
// with `compare` runs tsnats and nats-server side by side.
//   tsnats-bench pub pubsub --msgs 1000000 --size 128
//   tsnats-bench js pub --storage memory --window 256
//   tsnats-bench js pull --user u --password p --api JS.JSA.API     (a stream in another account)
//   tsnats-bench compare --rounds 3
import { Command, InvalidArgumentError, Option } from "commander";
import { runCompare } from "./compare.js";
import { findListenerPid } from "./cpu.js";
import { DEFAULTS, type BenchOptions } from "./options.js";
import { Progress, resultLine, summaryTable } from "./report.js";
import { SCENARIOS, type ScenarioName, runScenario } from "./scenarios/index.js";
import type { ScenarioResult } from "./scenarios/result.js";
import { parseServer } from "./wire/conn.js";

const int = (v: string): number => {
  const n = Number(v.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("not a whole number");
  return n;
};

/** "pub pubsub js pull kv get" → ["pub", "pubsub", "js pull", "kv get"]. */
export function scenarioNames(words: string[]): ScenarioName[] {
  const names: ScenarioName[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const name = w === "js" || w === "kv" ? `${w} ${words[++i] ?? ""}` : w;
    if (!(name in SCENARIOS)) throw new InvalidArgumentError(`unknown scenario "${name}" (known: ${Object.keys(SCENARIOS).join(", ")})`);
    names.push(name as ScenarioName);
  }
  return names;
}

/** Units every client together reports over a run, for the progress bar. */
function expectedProgress(name: ScenarioName, o: BenchOptions): number {
  switch (name) {
    case "pubsub":
    case "fanout":
      return o.msgs * (1 + o.subs);
    case "sub":
      return o.msgs * o.subs;
    case "queue":
    case "req":
      return o.msgs * 2;
    default:
      return o.msgs;
  }
}

interface CliOptions {
  server: string;
  user?: string;
  password?: string;
  token?: string;
  creds?: string;
  nkey?: string;
  msgs: number;
  size: number;
  pubs: number;
  subs?: number;
  subject: string;
  window?: number;
  storage: "file" | "memory";
  sync?: boolean;
  stream: string;
  batch: number;
  ack: "explicit" | "none";
  api: string;
  deliver: string;
  bucket: string;
  keys: number;
  serverPid?: number;
  stall: number;
  json?: boolean;
}

/** The pid of a server on this machine (loopback or localhost), to report its CPU; undefined otherwise. */
function localServerPid(server: string): number | undefined {
  const { host, port } = parseServer(server);
  return host === "127.0.0.1" || host === "localhost" || host === "::1" ? findListenerPid(port) : undefined;
}

/** Per-scenario defaults where `nats bench` has them: fanout to 4, windows for async JetStream publishing. */
function optionsFor(name: ScenarioName, cli: CliOptions, creds: BenchOptions["creds"]): BenchOptions {
  const { creds: inUrl, ...server } = parseServer(cli.server);
  const window = cli.window ?? (name === "js pub" || name === "kv put" ? 256 : 1);
  return {
    ...DEFAULTS,
    server,
    // Credentials in the URL (nats://user:pass@host) unless given as options.
    creds: { ...inUrl, ...Object.fromEntries(Object.entries(creds).filter(([, v]) => v !== undefined)) },
    msgs: cli.msgs,
    size: cli.size,
    pubs: Math.max(1, cli.pubs),
    subs: Math.max(1, cli.subs ?? (name === "fanout" ? 4 : 1)),
    subject: cli.subject,
    window: Math.max(1, window),
    storage: cli.storage,
    sync: cli.sync === true,
    stream: cli.stream,
    batch: Math.max(1, cli.batch),
    ack: cli.ack,
    api: cli.api,
    deliver: cli.deliver,
    bucket: cli.bucket,
    keys: Math.max(1, cli.keys),
    serverPid: cli.serverPid ?? localServerPid(cli.server),
    stallMs: cli.stall,
  };
}

function loadOptions(cmd: Command): Command {
  return cmd
    .option("-s, --server <url>", "server to measure", "nats://127.0.0.1:4222")
    .option("--user <name>", "user name")
    .option("--password <secret>", "password")
    .option("--token <token>", "auth token")
    .option("--creds <file>", "user credentials file (JWT and nkey seed)")
    .option("--nkey <file>", "file holding a user nkey seed")
    .option("--msgs <n>", "messages in total (requests, stream messages to consume)", int, DEFAULTS.msgs)
    .option("--size <bytes>", "payload size", int, DEFAULTS.size)
    .option("--pubs <n>", "publishers (requesters)", int, DEFAULTS.pubs)
    .option("--subs <n>", "subscribers (responders, consumers' clients); fanout defaults to 4", int)
    .option("--subject <subject>", "subject (the stream's subject for js)", DEFAULTS.subject)
    .option("--window <n>", "outstanding requests or unacknowledged publishes per client (js pub/kv put: 256)", int)
    .addOption(new Option("--storage <kind>", "stream storage").choices(["file", "memory"]).default(DEFAULTS.storage))
    .option("--sync", "js pub: one publish at a time")
    .option("--stream <name>", "stream (created fresh for each run)", DEFAULTS.stream)
    .option("--batch <n>", "js pull: messages per pull request", int, DEFAULTS.batch)
    .addOption(new Option("--ack <policy>", "consumer ack policy").choices(["explicit", "none"]).default(DEFAULTS.ack))
    .option("--api <prefix>", "JetStream API prefix (an imported one to use another account's stream)", DEFAULTS.api)
    .option("--deliver <subject>", "js push: deliver subject", DEFAULTS.deliver)
    .option("--bucket <name>", "kv: bucket", DEFAULTS.bucket)
    .option("--keys <n>", "kv: keys", int, DEFAULTS.keys)
    .option("--server-pid <pid>", "the server's process id, to report its CPU (found by itself for a server on this machine)", int)
    .option("--stall <ms>", "end a run whose receivers make no progress for this long", int, DEFAULTS.stallMs);
}

async function runNamed(words: string[], cli: CliOptions): Promise<void> {
  const names = scenarioNames(words);
  const creds = { user: cli.user, pass: cli.password, token: cli.token, credsFile: cli.creds, nkeyFile: cli.nkey };
  const progress = new Progress();
  const results: ScenarioResult[] = [];
  for (const name of names) {
    const o = optionsFor(name, cli, creds);
    const total = expectedProgress(name, o);
    const r = await runScenario(name, o, { progress: (roles) => progress.update(name, roles.progress(), total) });
    progress.clear();
    results.push(r);
    if (!cli.json) console.log(resultLine(r));
  }
  if (cli.json) console.log(JSON.stringify(results, null, 2));
  else console.log(`\n${summaryTable(results)}`);
  if (results.some((r) => r.checks.some((c) => !c.ok))) process.exitCode = 1;
}

const program = new Command("tsnats-bench")
  .enablePositionalOptions()
  .description("Throughput and latency of a NATS server; `compare` puts tsnats and nats-server side by side")
  .argument("[scenario...]", `scenarios to run in turn: ${Object.keys(SCENARIOS).join(", ")}`)
  .option("--json", "print results as JSON");
loadOptions(program).action(async (words: string[], cli: CliOptions) => {
  if (words.length === 0) {
    program.help();
    return;
  }
  await runNamed(words, cli);
});

program
  .command("compare")
  .description("run a suite against tsnats and nats-server (on PATH), alternating A/B, and print medians and ratios")
  .option("--rounds <n>", "rounds (both servers fresh each round; each case on one then the other, order alternating)", int, 3)
  .option("--msgs <n>", "messages per throughput scenario", int, 200_000)
  .option("--only <groups>", "comma-separated groups: core, js, xacct", "core,js,xacct")
  .option("--nats-server <path>", "nats-server binary", "nats-server")
  .option("--warmup <share>", "share of each case run unmeasured on each fresh server first (0 for none)", Number, 0.2)
  .option("--json", "print results as JSON")
  .action(async (opts: { rounds: number; msgs: number; only: string; natsServer: string; warmup: number; json?: boolean }) => {
    await runCompare({ rounds: opts.rounds, msgs: opts.msgs, warmup: opts.warmup, groups: opts.only.split(","), natsServer: opts.natsServer, json: opts.json === true });
  });

program.parseAsync(process.argv).then(
  () => process.exit(process.exitCode ?? 0),
  (e: Error) => {
    console.error(`tsnats-bench: ${e.message}`);
    process.exit(2);
  },
);

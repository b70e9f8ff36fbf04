// The nats client's own JetStream consumption, tsnats vs nats-server (on PATH), alternating A/B: a file
// stream is filled with N messages of 128 B (tsnats-bench's js pub), then read back by consume() with
// batches of 500 and an ack per message, and by a durable push subscription with explicit acks. Here the
// client is part of the figure (nats.js costs more per message than the server); tsnats-bench's js pull
// and js push measure the servers alone.
//
// Usage: node bench/client-compare.js [--rounds 3] [--msgs 200000]
import { AckPolicy, connect, consumerOpts } from "nats";
import { processCpuSeconds } from "../apps/bench/dist/cpu.js";
import { DEFAULTS } from "../apps/bench/dist/options.js";
import { fmtInt } from "../apps/bench/dist/report.js";
import { runScenario } from "../apps/bench/dist/scenarios/index.js";
import { median } from "../apps/bench/dist/scenarios/result.js";
import { natsServerVersion, startServer } from "../apps/bench/dist/servers.js";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ROUNDS = opt("rounds", 3);
const MSGS = opt("msgs", 200_000);
const SIZE = 128;

/** Stream C (subject c.x) holding MSGS messages. */
async function fill(port) {
  const o = { ...DEFAULTS, server: { host: "127.0.0.1", port }, creds: {}, msgs: MSGS, window: 256, stream: "C", subject: "c.x" };
  const r = await runScenario("js pub", o);
  if (!r.checks.every((c) => c.ok)) throw new Error(`filling C: ${JSON.stringify(r.checks)}`);
}

/** Acks every message of `messages` until MSGS arrived, then flushes; msgs/s since `t0`. */
async function ackAll(nc, messages, t0) {
  let got = 0;
  for await (const m of messages) {
    m.ack();
    if (++got === MSGS) break;
  }
  await nc.flush();
  const dt = (performance.now() - t0) / 1000;
  await nc.close();
  return MSGS / dt;
}

/** The nats client's consume(): batches of 500, every message acked; msgs/s. */
async function clientConsume(port) {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  await (await nc.jetstreamManager()).consumers.add("C", { durable_name: "CC", ack_policy: AckPolicy.Explicit });
  const consumer = await nc.jetstream().consumers.get("C", "CC");
  const t0 = performance.now();
  return ackAll(nc, await consumer.consume({ max_messages: 500 }), t0);
}

/** The nats client's push subscription (durable, explicit acks); msgs/s. */
async function clientPush(port) {
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const opts = consumerOpts();
  opts.durable("CP");
  opts.deliverTo("push.CP");
  opts.ackExplicit();
  opts.deliverAll();
  opts.manualAck();
  const t0 = performance.now();
  return ackAll(nc, await nc.jetstream().subscribe("c.x", opts), t0);
}

const SCENARIOS = [
  { name: "client consume(), batch 500, explicit acks", run: (p) => clientConsume(p) },
  { name: "client push subscribe, explicit acks", run: (p) => clientPush(p) },
];

const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of round % 2 === 0 ? ["tsnats", "nats-server"] : ["nats-server", "tsnats"]) {
    const server = await startServer(kind, { jetstream: true });
    await fill(server.port);
    for (const sc of SCENARIOS) {
      const c0 = processCpuSeconds(server.pid);
      const t0 = performance.now();
      const v = await sc.run(server.port);
      const cpu = (processCpuSeconds(server.pid) - c0) / ((performance.now() - t0) / 1000);
      ((results[sc.name] ??= {})[kind] ??= []).push({ v, cpu });
      process.stderr.write(`round ${round + 1} ${kind.padEnd(11)} ${sc.name}: ${Math.round(v).toLocaleString("en-US")} msgs/s (server CPU ${(cpu * 100).toFixed(0)}%)\n`);
    }
    await server.stop();
  }
}

const version = natsServerVersion("nats-server") ?? "?";
const rows = SCENARIOS.map((sc) => {
  const r = results[sc.name];
  const t = median(r.tsnats.map((x) => x.v));
  const n = median(r["nats-server"].map((x) => x.v));
  return {
    scenario: `${sc.name}, msgs/s`,
    tsnats: fmtInt(t),
    "nats-server": fmtInt(n),
    "ratio tsnats/nats-server": (t / n).toFixed(2),
    "tsnats CPU": `${(median(r.tsnats.map((x) => x.cpu)) * 100).toFixed(0)}%`,
    "nats-server CPU": `${(median(r["nats-server"].map((x) => x.cpu)) * 100).toFixed(0)}%`,
  };
});
console.log(`${new Date().toISOString()} ${ROUNDS} rounds, ${MSGS} msgs of ${SIZE} B in a file stream, ${version}, node ${process.version}`);
console.table(rows);

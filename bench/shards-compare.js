// The cost and the benefit of the sharded routing core, side by side with nats-server:
//   1. one account's pub -> sub through a worker-thread shard vs an in-process shard (the cost of the hop);
//   2. a cross-account stream import, exporter and importer on different shards;
//   3. isolation: account B's request/reply latency idle vs while account A is flooded.
//
// Usage: node bench/shards-compare.js [--rounds 3] [--msgs 1000000] [--size 128] [--reqs 2000]
import { connect } from "nats";
import { countingSub, pubBlock, publishAll, rawConn, waitPong } from "./lib/raw-load.js";
import { processCpuSeconds } from "../apps/bench/dist/cpu.js";
import { fmtInt } from "../apps/bench/dist/report.js";
import { median } from "../apps/bench/dist/scenarios/result.js";
import { natsServerVersion, startServer } from "../apps/bench/dist/servers.js";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ROUNDS = opt("rounds", 3);
const MSGS = opt("msgs", 1_000_000);
const SIZE = opt("size", 128);
const REQS = opt("reqs", 2000);

const ACCOUNTS = `
accounts {
  A { users: [ {user: a, password: p} ], exports: [ {stream: "imp.>"} ] }
  B { users: [ {user: b, password: p} ], imports: [ {stream: {account: A, subject: "imp.>"}} ] }
}
`;
const A = { user: "a", pass: "p" };
const B = { user: "b", pass: "p" };

/** The servers compared: tsnats with worker shards, tsnats with in-process shards, nats-server. */
const SERVERS = {
  "tsnats (worker shards)": { kind: "tsnats", config: `${ACCOUNTS}\nshards { count: 2, pin { A: 0, B: 1 } }\n` },
  "tsnats (in-process shards)": { kind: "tsnats", config: `${ACCOUNTS}\nshards { count: 2, in_process: true, pin { A: 0, B: 1 } }\n` },
  "nats-server": { kind: "nats-server", config: ACCOUNTS },
};

const frame = (subject) => `MSG ${subject} 1 ${SIZE}\r\n`.length + SIZE + 2;

async function pubSub(port, pubCreds, subCreds, pubSubject, subSubject) {
  const sub = await countingSub(port, subSubject, frame(subSubject), MSGS, subCreds);
  const p = await rawConn(port, pubCreds);
  await waitPong(p);
  const block = pubBlock(pubSubject, SIZE, 256);
  const t0 = performance.now();
  await publishAll(p, block, 256, MSGS);
  await sub.done;
  const dt = (performance.now() - t0) / 1000;
  p.destroy();
  sub.socket.destroy();
  return MSGS / dt;
}

async function requestLatency(port, flood) {
  const svc = await connect({ servers: `127.0.0.1:${port}`, ...B });
  svc.subscribe("b.svc", { callback: (_e, m) => m.respond(m.data) });
  await svc.flush();
  const nc = await connect({ servers: `127.0.0.1:${port}`, ...B });
  const payload = new Uint8Array(SIZE);
  for (let i = 0; i < 200; i++) await nc.request("b.svc", payload);
  let stop = false;
  let flooder;
  let flooded = 0;
  if (flood) {
    flooder = await rawConn(port, A);
    await waitPong(flooder);
    const block = pubBlock("flood.x", SIZE, 256);
    void publishAll(flooder, block, 256, Number.POSITIVE_INFINITY, () => stop).then((n) => (flooded = n));
  }
  const lat = [];
  for (let i = 0; i < REQS; i++) {
    const t = process.hrtime.bigint();
    await nc.request("b.svc", payload, { timeout: 10_000 });
    lat.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  stop = true;
  flooder?.destroy();
  await nc.close();
  await svc.close();
  lat.sort((a, b) => a - b);
  return { p50: lat[Math.floor(REQS * 0.5)], p99: lat[Math.floor(REQS * 0.99)], flooded };
}

const SCENARIOS = [
  { name: `one account pub -> sub (${SIZE} B), msgs/s`, run: (port) => pubSub(port, A, A, "local.x", "local.x") },
  { name: `stream import A -> B across shards (${SIZE} B), msgs/s`, run: (port) => pubSub(port, A, B, "imp.x", "imp.x") },
  { name: "B request/reply p50 idle, µs", run: async (port) => (await requestLatency(port, false)).p50, lowerIsBetter: true },
  { name: "B request/reply p99 idle, µs", run: async (port) => (await requestLatency(port, false)).p99, lowerIsBetter: true },
  { name: "B request/reply p50 during A flood, µs", run: async (port) => (await requestLatency(port, true)).p50, lowerIsBetter: true },
  { name: "B request/reply p99 during A flood, µs", run: async (port) => (await requestLatency(port, true)).p99, lowerIsBetter: true },
];

const results = {};
const names = Object.keys(SERVERS);
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? names : [...names].reverse();
  for (const name of order) {
    const { kind, config } = SERVERS[name];
    const server = await startServer(kind, { config, jetstream: false });
    for (const sc of SCENARIOS) {
      const c0 = processCpuSeconds(server.pid);
      const t0 = performance.now();
      const v = await sc.run(server.port);
      const cpu = (processCpuSeconds(server.pid) - c0) / ((performance.now() - t0) / 1000);
      ((results[sc.name] ??= {})[name] ??= []).push({ v, cpu });
      process.stderr.write(`round ${round + 1} ${name.padEnd(26)} ${sc.name}: ${Math.round(v).toLocaleString("en-US")} (server CPU ${(cpu * 100).toFixed(0)}%)\n`);
    }
    await server.stop();
  }
}

const version = natsServerVersion("nats-server") ?? "?";
const rows = SCENARIOS.map((sc) => {
  const r = results[sc.name];
  const m = (n) => median(r[n].map((x) => x.v));
  const worker = m("tsnats (worker shards)");
  const inproc = m("tsnats (in-process shards)");
  const ns = m("nats-server");
  return {
    scenario: sc.name,
    "tsnats worker": fmtInt(worker),
    "tsnats in-process": fmtInt(inproc),
    "nats-server": fmtInt(ns),
    "worker/nats-server": (worker / ns).toFixed(2),
    "worker/in-process": (worker / inproc).toFixed(2),
  };
});
console.log(`${new Date().toISOString()} ${ROUNDS} rounds, ${MSGS} msgs, ${SIZE} B, ${REQS} requests, ${version}, node ${process.version}`);
console.table(rows);

// End-to-end comparison: tsnats vs nats-server (found on PATH) with the same load generators, alternating
// A/B several rounds; prints medians and the ratio tsnats/nats-server per scenario, with server CPU.
//
// The core scenarios use a raw TCP load generator (pre-encoded PUBs, byte-counting subscriber) so the
// client is not the bottleneck; request/reply latency uses the real `nats` client.
//
// Usage: node bench/e2e-compare.js [--rounds 3] [--msgs 1000000] [--size 128]
import { execFileSync } from "node:child_process";
import { connect } from "nats";
import { pubBlock, publishAll, rawConn, waitPong } from "./lib/raw-load.js";
import { cpuSeconds, median, startServer } from "./lib/servers.js";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ROUNDS = opt("rounds", 3);
const MSGS = opt("msgs", 1_000_000);
const SIZE = opt("size", 128);
const REQS = opt("reqs", 5000);

async function pubOnly(port) {
  const s = await rawConn(port);
  await waitPong(s);
  const block = pubBlock("bench.pub", SIZE, 256);
  const t0 = performance.now();
  await publishAll(s, block, 256, MSGS);
  await waitPong(s);
  const dt = (performance.now() - t0) / 1000;
  s.destroy();
  return MSGS / dt;
}

async function pubSub(port, subs = 1) {
  const subscribers = [];
  const frame = `MSG bench.ps 1 ${SIZE}\r\n`.length + SIZE + 2;
  const done = [];
  for (let i = 0; i < subs; i++) {
    const s = await rawConn(port);
    s.write("SUB bench.ps 1\r\n");
    await waitPong(s);
    let bytes = 0;
    done.push(
      new Promise((resolve) =>
        s.on("data", (d) => {
          bytes += d.length;
          if (bytes >= MSGS * frame) resolve();
        }),
      ),
    );
    subscribers.push(s);
  }
  const p = await rawConn(port);
  await waitPong(p);
  const block = pubBlock("bench.ps", SIZE, 256);
  const t0 = performance.now();
  await publishAll(p, block, 256, MSGS);
  await Promise.all(done);
  const dt = (performance.now() - t0) / 1000;
  p.destroy();
  for (const s of subscribers) s.destroy();
  return MSGS / dt;
}

async function reqRep(port) {
  const svc = await connect({ servers: `127.0.0.1:${port}` });
  svc.subscribe("bench.req", { callback: (_e, m) => m.respond(m.data) });
  await svc.flush();
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const payload = new Uint8Array(SIZE);
  for (let i = 0; i < 200; i++) await nc.request("bench.req", payload);
  const lat = [];
  for (let i = 0; i < REQS; i++) {
    const t = process.hrtime.bigint();
    await nc.request("bench.req", payload);
    lat.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  lat.sort((a, b) => a - b);
  await nc.close();
  await svc.close();
  return lat[Math.floor(lat.length * 0.5)];
}

const SCENARIOS = [
  { name: `pub only (${SIZE} B), msgs/s`, run: pubOnly, higherIsBetter: true },
  { name: `pub -> 1 sub (${SIZE} B), msgs/s`, run: (p) => pubSub(p, 1), higherIsBetter: true },
  { name: `pub -> 4 subs fan-out (${SIZE} B), msgs/s`, run: (p) => pubSub(p, 4), higherIsBetter: true },
  { name: `request/reply p50 (nats.js), µs`, run: reqRep, higherIsBetter: false },
];

const results = {};
let port = 15000 + Math.floor(Math.random() * 1000);
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of round % 2 === 0 ? ["tsnats", "nats-server"] : ["nats-server", "tsnats"]) {
    const server = await startServer(kind, ++port);
    const child = server.child;
    for (const sc of SCENARIOS) {
      const c0 = cpuSeconds(child.pid);
      const t0 = performance.now();
      const v = await sc.run(port);
      const cpu = (cpuSeconds(child.pid) - c0) / ((performance.now() - t0) / 1000);
      ((results[sc.name] ??= {})[kind] ??= []).push({ v, cpu });
      process.stderr.write(`round ${round + 1} ${kind.padEnd(11)} ${sc.name}: ${Math.round(v).toLocaleString("en-US")} (server CPU ${(cpu * 100).toFixed(0)}%)\n`);
    }
    await server.stop();
  }
}

let version = "?";
try {
  version = execFileSync("nats-server", ["-v"]).toString().trim();
} catch {}
const rows = SCENARIOS.map((sc) => {
  const r = results[sc.name];
  const t = median(r.tsnats.map((x) => x.v));
  const n = median(r["nats-server"].map((x) => x.v));
  return {
    scenario: sc.name,
    tsnats: Math.round(t).toLocaleString("en-US"),
    "nats-server": Math.round(n).toLocaleString("en-US"),
    "ratio tsnats/nats-server": (t / n).toFixed(2),
    "tsnats CPU": `${(median(r.tsnats.map((x) => x.cpu)) * 100).toFixed(0)}%`,
    "nats-server CPU": `${(median(r["nats-server"].map((x) => x.cpu)) * 100).toFixed(0)}%`,
  };
});
console.log(`${new Date().toISOString()} ${ROUNDS} rounds, ${MSGS} msgs, ${SIZE} B, ${version}, node ${process.version}`);
console.table(rows);

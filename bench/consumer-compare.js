// JetStream consumers, tsnats vs nats-server (on PATH), same raw-TCP client, alternating A/B. A file
// stream is filled with N messages of 128 B, then read back:
//   pull, explicit acks (two outstanding MSG.NEXT requests of 500, every message acked);
//   push, ack none (pure delivery); push, explicit acks (every message acked, max_ack_pending 1000).
// Figures are messages/s from the first request to the last message (and its ack sent).
//
// Usage: node bench/consumer-compare.js [--rounds 3] [--msgs 200000]
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMsgs } from "./lib/msg-reader.js";
import { pubBlock, publishAll, rawConn, waitPong } from "./lib/raw-load.js";
import { cpuSeconds, median, startServer } from "./lib/servers.js";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ROUNDS = opt("rounds", 3);
const MSGS = opt("msgs", 200_000);
const SIZE = 128;

/** A connection with an API reply inbox: api(subject, body) resolves with the parsed response. */
async function apiConn(port) {
  const s = await rawConn(port);
  const waiting = [];
  readMsgs(s, (subject, _reply, _hdr, payload) => {
    if (subject === "api.r") waiting.shift()?.(JSON.parse(payload.toString()));
  });
  s.write("SUB api.r 1\r\n");
  await waitPong(s);
  return {
    socket: s,
    api(subject, body) {
      const payload = body === undefined ? "" : JSON.stringify(body);
      return new Promise((resolve) => {
        waiting.push(resolve);
        s.write(`PUB $JS.API.${subject} api.r ${Buffer.byteLength(payload)}\r\n${payload}\r\n`);
      });
    },
  };
}

/** Creates stream C and stores MSGS messages in it (published without acks, then awaited in its info). */
async function fill(port) {
  const c = await apiConn(port);
  const r = await c.api("STREAM.CREATE.C", { name: "C", subjects: ["c.>"], storage: "file" });
  if (r.error) throw new Error(JSON.stringify(r.error));
  const pub = await rawConn(port);
  await publishAll(pub, pubBlock("c.x", SIZE, 100), 100, MSGS);
  await waitPong(pub);
  for (;;) {
    const info = await c.api("STREAM.INFO.C");
    if (info.state.messages >= MSGS) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  pub.destroy();
  return c;
}

/** Reads every message through pull requests, acking each; msgs/s. */
async function pull(port, c) {
  await c.api("CONSUMER.DURABLE.CREATE.C.P", { stream_name: "C", config: { durable_name: "P", ack_policy: "explicit" } });
  const s = await rawConn(port);
  const BATCH = 500;
  let got = 0;
  let inBatch = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  const body = JSON.stringify({ batch: BATCH, expires: 5_000_000_000 });
  const request = () => s.write(`PUB $JS.API.CONSUMER.MSG.NEXT.C.P pull.in ${body.length}\r\n${body}\r\n`);
  readMsgs(s, (_subject, reply, hdr) => {
    if (hdr > 0 && reply === undefined) {
      request(); // a status (408): ask again
      return;
    }
    got++;
    s.write(`PUB ${reply} 0\r\n\r\n`);
    if (++inBatch === BATCH) {
      inBatch = 0;
      if (got < MSGS) request();
    }
    if (got === MSGS) done();
  });
  s.write("SUB pull.in 1\r\n");
  await waitPong(s);
  const t0 = performance.now();
  request();
  request();
  await finished;
  await waitPong(s);
  const dt = (performance.now() - t0) / 1000;
  s.destroy();
  return MSGS / dt;
}

/** Reads every message through a push consumer on `deliver`; acks each unless ack none; msgs/s. */
async function push(port, c, name, ackPolicy) {
  const s = await rawConn(port);
  let got = 0;
  let done;
  const finished = new Promise((r) => (done = r));
  readMsgs(s, (_subject, reply) => {
    // Deliveries show the stream subject; heartbeats and flow control have no ack reply.
    if (!reply?.startsWith("$JS.ACK.")) return;
    got++;
    if (ackPolicy !== "none") s.write(`PUB ${reply} 0\r\n\r\n`);
    if (got === MSGS) done();
  });
  s.write(`SUB push.${name} 1\r\n`);
  await waitPong(s);
  const t0 = performance.now();
  await c.api(`CONSUMER.DURABLE.CREATE.C.${name}`, { stream_name: "C", config: { durable_name: name, ack_policy: ackPolicy, deliver_subject: `push.${name}` } });
  await finished;
  await waitPong(s);
  const dt = (performance.now() - t0) / 1000;
  s.destroy();
  return MSGS / dt;
}

const SCENARIOS = [
  { name: "pull, explicit acks", run: (p, c) => pull(p, c) },
  { name: "push, ack none", run: (p, c) => push(p, c, "PN", "none") },
  { name: "push, explicit acks", run: (p, c) => push(p, c, "PE", "explicit") },
];

const results = {};
let port = 19000 + Math.floor(Math.random() * 1000);
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of round % 2 === 0 ? ["tsnats", "nats-server"] : ["nats-server", "tsnats"]) {
    const dir = mkdtempSync(join(tmpdir(), "tsnats-cbench-"));
    const server = await startServer(kind, ++port, { extra: ["-js", "-sd", dir] });
    const c = await fill(port);
    for (const sc of SCENARIOS) {
      const c0 = cpuSeconds(server.child.pid);
      const t0 = performance.now();
      const v = await sc.run(port, c);
      const cpu = (cpuSeconds(server.child.pid) - c0) / ((performance.now() - t0) / 1000);
      ((results[sc.name] ??= {})[kind] ??= []).push({ v, cpu });
      process.stderr.write(`round ${round + 1} ${kind.padEnd(11)} ${sc.name}: ${Math.round(v).toLocaleString("en-US")} msgs/s (server CPU ${(cpu * 100).toFixed(0)}%)\n`);
    }
    c.socket.destroy();
    await server.stop();
  }
}

let version = "?";
try {
  version = execFileSync("nats-server", ["-v"]).toString().trim();
} catch {}
const fmt = (x) => Math.round(x).toLocaleString("en-US");
const rows = SCENARIOS.map((sc) => {
  const r = results[sc.name];
  const t = median(r.tsnats.map((x) => x.v));
  const n = median(r["nats-server"].map((x) => x.v));
  return {
    scenario: `${sc.name}, msgs/s`,
    tsnats: fmt(t),
    "nats-server": fmt(n),
    "ratio tsnats/nats-server": (t / n).toFixed(2),
    "tsnats CPU": `${(median(r.tsnats.map((x) => x.cpu)) * 100).toFixed(0)}%`,
    "nats-server CPU": `${(median(r["nats-server"].map((x) => x.cpu)) * 100).toFixed(0)}%`,
  };
});
console.log(`${new Date().toISOString()} ${ROUNDS} rounds, ${MSGS} msgs of ${SIZE} B in a file stream, ${version}, node ${process.version}`);
console.table(rows);

// JetStream consumers, tsnats vs nats-server (on PATH), same clients, alternating A/B. A file stream is
// filled with N messages of 128 B, then read back, each scenario by a consumer of its own:
//   the nats client: consume() with batches of 500 and an ack per message; a push subscription
//   (js.subscribe, durable, explicit acks);
//   raw TCP (the client costs nearly nothing, so the server is measured): pull with explicit acks (two
//   outstanding MSG.NEXT requests of 500); push with ack none; push with explicit acks.
// Figures are messages/s from the first request to the last message (and its ack sent).
//
// Usage: node bench/consumer-compare.js [--rounds 3] [--msgs 200000]
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, consumerOpts } from "nats";
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

/** The nats client's consume(): batches of 500, every message acked; msgs/s. */
async function clientConsume(port, c) {
  await c.api("CONSUMER.DURABLE.CREATE.C.CC", { stream_name: "C", config: { durable_name: "CC", ack_policy: "explicit" } });
  const nc = await connect({ servers: `127.0.0.1:${port}` });
  const consumer = await nc.jetstream().consumers.get("C", "CC");
  const t0 = performance.now();
  const messages = await consumer.consume({ max_messages: 500 });
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
  const sub = await nc.jetstream().subscribe("c.>", opts);
  let got = 0;
  for await (const m of sub) {
    m.ack();
    if (++got === MSGS) break;
  }
  await nc.flush();
  const dt = (performance.now() - t0) / 1000;
  await nc.close();
  return MSGS / dt;
}

const SCENARIOS = [
  { name: "client consume(), batch 500, explicit acks", run: (p, c) => clientConsume(p, c) },
  { name: "client push subscribe, explicit acks", run: (p) => clientPush(p) },
  { name: "raw pull, explicit acks", run: (p, c) => pull(p, c) },
  { name: "raw push, ack none", run: (p, c) => push(p, c, "PN", "none") },
  { name: "raw push, explicit acks", run: (p, c) => push(p, c, "PE", "explicit") },
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

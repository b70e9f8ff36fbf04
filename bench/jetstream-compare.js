// JetStream publishing, tsnats vs nats-server (on PATH), same load generator, alternating A/B:
//   async publish with acks (window of 256 outstanding), 128 B and 1 KiB, file and memory streams;
//   sync publish (one at a time); and restart time + RSS with 1M stored messages.
// The load generator is raw TCP (pre-encoded PUBs with a reply subject, acks counted by bytes), so the
// client is not what limits the figures (nats.js tops out near 10k async publishes/s).
//
// Usage: node bench/jetstream-compare.js [--rounds 3] [--msgs 200000] [--restart 1000000]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rawConn, waitPong } from "./lib/raw-load.js";
import { cpuSeconds, median, startServer } from "./lib/servers.js";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ROUNDS = opt("rounds", 3);
const MSGS = opt("msgs", 200_000);
const SYNC_MSGS = opt("sync", 3000);
const RESTART_MSGS = opt("restart", 1_000_000);
const WINDOW = 256;

/** A raw client: requests JSON from the API and waits for the reply (its reply subscription stays). */
async function apiCall(s, subject, body) {
  return new Promise((resolve) => {
    let buf = "";
    const on = (d) => {
      buf += d.toString("latin1");
      const m = /MSG api\.r 9 (\d+)\r\n/.exec(buf);
      if (m) {
        const start = m.index + m[0].length;
        if (buf.length >= start + Number(m[1])) {
          s.off("data", on);
          resolve(JSON.parse(buf.slice(start, start + Number(m[1]))));
        }
      }
    };
    s.on("data", on);
    const payload = body === undefined ? "" : JSON.stringify(body);
    if (!s.apiSub) {
      s.apiSub = true;
      s.write("SUB api.r 9\r\n");
    }
    s.write(`PUB $JS.API.${subject} api.r ${Buffer.byteLength(payload)}\r\n${payload}\r\n`);
  });
}

/** Publishes `total` messages with acks, keeping at most WINDOW unacknowledged; returns msgs/s. */
async function asyncPublish(port, stream, size, storage, total) {
  const s = await rawConn(port);
  await apiCall(s, `STREAM.CREATE.${stream}`, { name: stream, subjects: [`${stream}.>`], storage });
  s.write("SUB acks 1\r\n");
  await waitPong(s);
  const one = Buffer.concat([Buffer.from(`PUB ${stream}.x acks ${size}\r\n`), Buffer.alloc(size, 0x61), Buffer.from("\r\n")]);
  const block = Buffer.concat(Array.from({ length: 64 }, () => one));
  let acked = 0;
  let wake;
  s.on("data", (d) => {
    // Every ack is an "MSG acks 1 ..." line; count them.
    let i = d.indexOf("MSG acks ");
    while (i >= 0) {
      acked++;
      i = d.indexOf("MSG acks ", i + 9);
    }
    if (wake) wake();
  });
  const t0 = performance.now();
  let sent = 0;
  while (sent < total) {
    while (sent - acked >= WINDOW) await new Promise((r) => (wake = r));
    s.write(block);
    sent += 64;
  }
  while (acked < sent) await new Promise((r) => (wake = r));
  const dt = (performance.now() - t0) / 1000;
  s.destroy();
  return total / dt;
}

/** One publish at a time, each waiting for its ack; returns msgs/s. */
async function syncPublish(port, stream, size, storage) {
  const s = await rawConn(port);
  await apiCall(s, `STREAM.CREATE.${stream}`, { name: stream, subjects: [`${stream}.>`], storage });
  s.write("SUB acks 1\r\n");
  await waitPong(s);
  const one = Buffer.concat([Buffer.from(`PUB ${stream}.x acks ${size}\r\n`), Buffer.alloc(size, 0x61), Buffer.from("\r\n")]);
  let wake;
  s.on("data", () => wake?.());
  const t0 = performance.now();
  for (let i = 0; i < SYNC_MSGS; i++) {
    const got = new Promise((r) => (wake = r));
    s.write(one);
    await got;
  }
  const dt = (performance.now() - t0) / 1000;
  s.destroy();
  return SYNC_MSGS / dt;
}

function rssMB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}

/** Stores RESTART_MSGS messages, stops the server, starts it again: ms until STREAM.INFO shows them all, RSS then. */
async function restartTime(kind, port) {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-restart-"));
  const extra = ["-js", "-sd", dir];
  let server = await startServer(kind, port, { extra });
  await asyncPublish(port, "RESTART", 128, "file", RESTART_MSGS);
  await server.stop();
  const t0 = performance.now();
  server = await startServer(kind, port, { extra });
  const s = await rawConn(port);
  let info;
  for (;;) {
    info = await apiCall(s, "STREAM.INFO.RESTART");
    if (info.state?.messages === RESTART_MSGS) break;
  }
  const ms = performance.now() - t0;
  const rss = rssMB(server.child.pid);
  s.destroy();
  await server.stop();
  return { ms, rss };
}

const SCENARIOS = [
  { name: "async publish, file, 128 B", run: (p) => asyncPublish(p, "AF1", 128, "file", MSGS) },
  { name: "async publish, file, 1 KiB", run: (p) => asyncPublish(p, "AF2", 1024, "file", MSGS) },
  { name: "async publish, memory, 128 B", run: (p) => asyncPublish(p, "AM1", 128, "memory", MSGS) },
  { name: "async publish, memory, 1 KiB", run: (p) => asyncPublish(p, "AM2", 1024, "memory", MSGS) },
  { name: "sync publish, file, 128 B", run: (p) => syncPublish(p, "SF1", 128, "file") },
  { name: "sync publish, memory, 128 B", run: (p) => syncPublish(p, "SM1", 128, "memory") },
];

const results = {};
let port = 18000 + Math.floor(Math.random() * 1000);
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of round % 2 === 0 ? ["tsnats", "nats-server"] : ["nats-server", "tsnats"]) {
    const dir = mkdtempSync(join(tmpdir(), "tsnats-jsbench-"));
    const server = await startServer(kind, ++port, { extra: ["-js", "-sd", dir] });
    for (const sc of SCENARIOS) {
      const c0 = cpuSeconds(server.child.pid);
      const t0 = performance.now();
      const v = await sc.run(port);
      const cpu = (cpuSeconds(server.child.pid) - c0) / ((performance.now() - t0) / 1000);
      ((results[sc.name] ??= {})[kind] ??= []).push({ v, cpu });
      process.stderr.write(`round ${round + 1} ${kind.padEnd(11)} ${sc.name}: ${Math.round(v).toLocaleString("en-US")} msgs/s (server CPU ${(cpu * 100).toFixed(0)}%)\n`);
    }
    await server.stop();
  }
}

const restart = {};
if (RESTART_MSGS > 0) {
  for (const kind of ["tsnats", "nats-server"]) {
    restart[kind] = await restartTime(kind, ++port);
    process.stderr.write(`restart ${kind}: ${restart[kind].ms.toFixed(0)} ms, RSS ${restart[kind].rss.toFixed(0)} MB\n`);
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
if (RESTART_MSGS > 0) {
  rows.push({
    scenario: `restart with ${fmt(RESTART_MSGS)} msgs, ms (RSS MB after)`,
    tsnats: `${fmt(restart.tsnats.ms)} (${fmt(restart.tsnats.rss)})`,
    "nats-server": `${fmt(restart["nats-server"].ms)} (${fmt(restart["nats-server"].rss)})`,
    "ratio tsnats/nats-server": (restart.tsnats.ms / restart["nats-server"].ms).toFixed(2),
  });
}
console.log(`${new Date().toISOString()} ${ROUNDS} rounds, ${MSGS} async msgs, window ${WINDOW}, ${version}, node ${process.version}`);
console.table(rows);

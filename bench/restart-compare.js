// Restart time and memory with a large stream, tsnats vs nats-server (on PATH): a file stream is filled
// with N messages of 128 B (tsnats-bench's js pub), the server stops, starts again on the same store, and
// the time until STREAM.INFO shows every message is measured, with the server's RSS then.
// Recovery must not read every message: the figure should barely grow with N.
//
// Usage: node bench/restart-compare.js [--msgs 1000000]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsApi } from "../apps/bench/dist/jsapi.js";
import { DEFAULTS } from "../apps/bench/dist/options.js";
import { runScenario } from "../apps/bench/dist/scenarios/index.js";
import { natsServerVersion, startServer } from "../apps/bench/dist/servers.js";

const args = process.argv.slice(2);
const i = args.indexOf("--msgs");
const MSGS = i >= 0 ? Number(args[i + 1]) : 1_000_000;

function rssMB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
}

async function restartTime(kind) {
  const start = { jetstream: true, storeDir: mkdtempSync(join(tmpdir(), "tsnats-restart-")) };
  let server = await startServer(kind, start);
  const o = { ...DEFAULTS, server: { host: "127.0.0.1", port: server.port }, creds: {}, msgs: MSGS, window: 256, stream: "RESTART" };
  const fill = await runScenario("js pub", o);
  if (!fill.checks.every((c) => c.ok)) throw new Error(`${kind}: filling failed ${JSON.stringify(fill.checks)}`);
  await server.stop();
  const t0 = performance.now();
  server = await startServer(kind, start);
  const api = await JsApi.open({ host: "127.0.0.1", port: server.port }, {});
  for (let i = 0; (await api.call("STREAM.INFO.RESTART")).state?.messages !== MSGS; i++) {
    if (i === 6000) throw new Error(`${kind}: the stream did not come back with ${MSGS} messages in a minute`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - t0;
  const rss = rssMB(server.pid);
  api.close();
  await server.stop();
  rmSync(start.storeDir, { recursive: true, force: true });
  return { ms, rss };
}

const rows = [];
for (const kind of ["tsnats", "nats-server"]) {
  const r = await restartTime(kind);
  rows.push({ server: kind, "restart until STREAM.INFO, ms": Math.round(r.ms), "RSS after, MB": Math.round(r.rss) });
}
const version = natsServerVersion("nats-server") ?? "?";
console.log(`${new Date().toISOString()} ${MSGS} msgs of 128 B in a file stream, ${version}, node ${process.version}`);
console.table(rows);

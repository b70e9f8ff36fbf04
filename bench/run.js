// Runs every micro-benchmark and prints one table: ops/s, items/s (messages, matches: ops × items per op)
// and MB/s where they apply. A suite gives bytesPerOp as a number, or a function of the task's name.
// Usage: node bench/run.js [name-filter]
import { codecBench } from "./codec.bench.js";
import { consumerBench } from "./consumer.bench.js";
import { protocolBench } from "./protocol.bench.js";
import { publishBench } from "./publish.bench.js";
import { storeBench } from "./store.bench.js";
import { subjectBench } from "./subject.bench.js";

const suites = { protocol: protocolBench, subject: subjectBench, codec: codecBench, store: storeBench, publish: publishBench, consumer: consumerBench };
const filter = process.argv[2];

const rows = [];
for (const [name, make] of Object.entries(suites)) {
  if (filter && !name.includes(filter)) continue;
  const { bench, perOp = 1, bytesPerOp, check } = make();
  await bench.run();
  if (check && !check()) throw new Error(`${name}: benchmark self-check failed`);
  for (const task of bench.tasks) {
    const r = task.result;
    if (r?.error) throw new Error(`${name}: ${task.name}: ${r.error.message ?? r.error}`);
    const bytes = typeof bytesPerOp === "function" ? bytesPerOp(task.name) : bytesPerOp;
    const hz = r?.throughput?.mean ?? r?.hz ?? 0;
    rows.push({
      suite: name,
      task: task.name,
      "ops/s": Math.round(hz).toLocaleString("en-US"),
      "items/s": perOp > 1 ? Math.round(hz * perOp).toLocaleString("en-US") : "",
      "MB/s": bytes ? ((hz * bytes) / 1e6).toFixed(1) : "",
      "p99 µs": r?.latency?.p99 !== undefined ? (r.latency.p99 * 1000).toFixed(2) : "",
    });
  }
}
console.table(rows);

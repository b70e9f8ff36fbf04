import { open } from "lmdb";
import fs from "fs";
const dir = fs.mkdtempSync("/tmp/proto/perf5-");
const env = open({ path: dir, maxDbs: 10, keyEncoding: "binary", encoding: "binary", noSync: process.argv[2] === "nosync", overlappingSync: false });
const val = Buffer.alloc(160, 1);
const db = env.openDB("x", { keyEncoding: "binary", encoding: "binary" });
let seq = 0, tin = 0, tall = 0;
const N = +process.argv[3] || 256;
for (let b = 0; b < 1000; b++) {
  const s0 = performance.now(); let s1;
  env.transactionSync(() => { for (let i = 0; i < N; i++) { const k = Buffer.alloc(8); k.writeUInt32BE(++seq, 4); db.put(k, val); } s1 = performance.now(); });
  tin += s1 - s0; tall += performance.now() - s0;
}
console.log(process.argv[2], N, "puts µs/put", (tin * 1000 / (1000 * N)).toFixed(2), "total µs/batch", (tall).toFixed(1));
await env.close();
fs.rmSync(dir, { recursive: true, force: true });

import { LmdbAccountStore } from "/work/main/packages/store/dist/index.js";
import fs from "fs";
const dir = fs.mkdtempSync("/tmp/proto/perf6-");
const acc = new LmdbAccountStore(dir);
const { store } = acc.createStream("P", "{}", false);
const payload = Buffer.alloc(128, 97);
let t = 0n;
const B = +process.argv[2] || 256, S = +process.argv[3] || 8;
const subjects = Array.from({ length: S }, (_, i) => `bench.subject.${i}`);
const s0 = performance.now();
let n = 0;
for (let b = 0; b < 2000; b++) {
  for (let i = 0; i < B; i++) store.append(subjects[n++ % S], undefined, payload, t++);
  acc.commit();
}
const ms = performance.now() - s0;
console.log(`batch ${B} subjects ${S}:`, Math.round(n / ms * 1000), "msgs/s", (ms / 2000 * 1000).toFixed(0), "µs/batch");
acc.close();
fs.rmSync(dir, { recursive: true, force: true });

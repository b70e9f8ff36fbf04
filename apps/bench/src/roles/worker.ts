// A worker thread running one role: it reports ready, waits for start, reports progress every 100 ms,
// and ends with its result (receivers when the coordinator says stop).
import { parentPort, workerData } from "node:worker_threads";
import { publisher } from "./publisher.js";
import { puller } from "./puller.js";
import { push } from "./push.js";
import { requester } from "./requester.js";
import { responder } from "./responder.js";
import { subscriber } from "./subscriber.js";
import type { Control, FromWorker, RoleResult, RoleSpec, ToWorker } from "./types.js";

const ROLES: { [K in RoleSpec["role"]]: (spec: Extract<RoleSpec, { role: K }>, ctl: Control) => Promise<RoleResult> } = {
  publisher,
  subscriber,
  requester,
  responder,
  puller,
  push,
};

const port = parentPort!;
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

let started!: () => void;
let stopped!: () => void;
let isStopped = false;
const ctl: Control = {
  started: new Promise<void>((r) => (started = r)),
  stopped: new Promise<void>((r) => (stopped = r)),
  isStopped: () => isStopped,
  ready: () => post({ type: "ready" }),
  progress: 0,
};
port.on("message", (m: ToWorker) => {
  if (m.type === "start") started();
  else {
    // A stop before the start (the run failed while setting up) ends the role too.
    isStopped = true;
    started();
    stopped();
  }
});

const ticker = setInterval(() => post({ type: "progress", n: ctl.progress }), 100);
const spec = workerData as RoleSpec;
const run = ROLES[spec.role] as (spec: RoleSpec, ctl: Control) => Promise<RoleResult>;
run(spec, ctl).then(
  (result) => {
    clearInterval(ticker);
    const transfer = [...(result.seen ?? []).map((s) => s.buffer as ArrayBuffer), ...(result.latencies ? [result.latencies.buffer as ArrayBuffer] : [])];
    post({ type: "progress", n: ctl.progress });
    post({ type: "done", result }, transfer);
    port.close();
  },
  (e: Error) => {
    clearInterval(ticker);
    post({ type: "error", message: e.message });
    port.close();
  },
);

// The coordinator's side of the roles: one worker thread per client, so the load generator spreads
// over cores like the server does. Every role connects and subscribes first; then all start together.
import { Worker } from "node:worker_threads";
import { CpuMark } from "./cpu.js";
import type { FromWorker, RoleResult, RoleSpec, ToWorker } from "./roles/types.js";
import { wallNow } from "./roles/types.js";

const WORKER = new URL("./roles/worker.js", import.meta.url);

export class RoleHandle {
  progress = 0;
  readonly result: Promise<RoleResult>;
  private readonly worker: Worker;
  readonly ready: Promise<void>;

  constructor(readonly spec: RoleSpec) {
    this.worker = new Worker(WORKER, { workerData: spec });
    let ready!: () => void;
    this.ready = new Promise<void>((r) => (ready = r));
    this.result = new Promise<RoleResult>((resolve, reject) => {
      this.worker.on("message", (m: FromWorker) => {
        if (m.type === "ready") ready();
        else if (m.type === "progress") this.progress = m.n;
        else if (m.type === "done") resolve(m.result);
        else reject(new Error(`${spec.role}: ${m.message}`));
      });
      this.worker.on("error", reject);
      this.worker.on("exit", (code) => reject(new Error(`${spec.role} worker exited (${code}) without a result`)));
    });
    // Failing before ready must fail the wait for ready too.
    this.ready = Promise.race([this.ready, this.result.then(() => {})]);
  }

  send(m: ToWorker): void {
    this.worker.postMessage(m);
  }

  /** Ends the thread (and so its connection), whatever it is doing. */
  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

/** A run's clients: senders finish by themselves, receivers are stopped once they got what was promised. */
export class Roles {
  readonly all: RoleHandle[] = [];
  /** Set when the clients start: CPU is measured over the timed part only, not the setup. */
  private cpuMark: CpuMark | undefined;
  /** CPU over the timed part: from the start to the moment the last client ended (not the checks after). */
  private cpuUsed: ReturnType<CpuMark["since"]> | undefined;

  constructor(
    private readonly serverPid?: number,
    private readonly onStart?: () => void,
  ) {}

  add(spec: RoleSpec): RoleHandle {
    const h = new RoleHandle(spec);
    this.all.push(h);
    return h;
  }

  /** Waits until every client is connected and subscribed, then starts them all; returns the start time. */
  async start(): Promise<number> {
    await Promise.all(this.all.map((h) => h.ready));
    this.cpuMark = new CpuMark(this.serverPid);
    Promise.allSettled(this.all.map((h) => h.result)).then(() => {
      this.cpuUsed ??= this.cpuMark?.since();
    });
    const t = wallNow();
    for (const h of this.all) h.send({ type: "start" });
    this.onStart?.();
    return t;
  }

  /** Busy cores (this process, the server) and wall seconds of the timed part; undefined before a start. */
  cpu(): ReturnType<CpuMark["since"]> | undefined {
    return this.cpuUsed ?? this.cpuMark?.since();
  }

  progress(of: RoleHandle[] = this.all): number {
    let n = 0;
    for (const h of of) n += h.progress;
    return n;
  }

  /**
   * Waits until `receivers` together report `expected` units, or until their count stops moving for
   * `stallMs` (something was lost: the run reports it rather than hanging), then stops them.
   */
  async settle(receivers: RoleHandle[], expected: number, stallMs = 3000): Promise<RoleResult[]> {
    let lastCount = -1;
    let lastMove = Date.now();
    for (;;) {
      const n = this.progress(receivers);
      if (n >= expected) break;
      if (n !== lastCount) {
        lastCount = n;
        lastMove = Date.now();
      } else if (Date.now() - lastMove > stallMs) break;
      // Receivers only end by themselves when they fail; then stopping the rest reports it.
      const ended = await Promise.race([Promise.all(receivers.map((r) => r.result)).then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20))]).catch(() => true);
      if (ended) break;
    }
    for (const r of receivers) r.send({ type: "stop" });
    return Promise.all(receivers.map((r) => r.result));
  }

  /** Ends every client's thread: after a run, and above all after a failed one (nothing left connected). */
  async terminate(): Promise<void> {
    await Promise.all(this.all.map((h) => h.terminate()));
  }

  /** Stops whatever still runs (responders) and collects every result. */
  async finish(handles: RoleHandle[]): Promise<RoleResult[]> {
    for (const h of handles) h.send({ type: "stop" });
    return Promise.all(handles.map((h) => h.result));
  }
}

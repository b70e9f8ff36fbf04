// The scenarios by name, and running one, with the CPU both sides used while it was timed.
import type { BenchOptions } from "../options.js";
import { Roles } from "../pool.js";
import { pub, pubsub, queue, req, sub } from "./core.js";
import { jsPub, jsPull, jsPush } from "./jetstream.js";
import { kvGet, kvPut } from "./kv.js";
import type { ScenarioOutcome, ScenarioResult } from "./result.js";

export type ScenarioName = "pub" | "sub" | "pubsub" | "fanout" | "queue" | "req" | "js pub" | "js pull" | "js push" | "kv put" | "kv get";

export const SCENARIOS: Record<ScenarioName, (o: BenchOptions, roles: Roles) => Promise<ScenarioOutcome>> = {
  pub,
  sub,
  pubsub,
  fanout: pubsub,
  queue,
  req,
  "js pub": jsPub,
  "js pull": jsPull,
  "js push": jsPush,
  "kv put": kvPut,
  "kv get": kvGet,
};

export interface RunHooks {
  /** Called every 200 ms with the run's clients (for a progress bar). */
  progress?(roles: Roles): void;
  /** Called once every client is connected and subscribed and the timed part begins. */
  started?(): void;
}

export async function runScenario(name: ScenarioName, o: BenchOptions, hooks: RunHooks = {}): Promise<ScenarioResult> {
  const roles = new Roles(o.serverPid, hooks.started);
  const progress = hooks.progress;
  const timer = progress ? setInterval(() => progress(roles), 200) : undefined;
  try {
    const outcome = await SCENARIOS[name](o, roles);
    const cpu = roles.cpu();
    return { scenario: name, ...outcome, clientCpu: cpu?.client ?? 0, serverCpu: cpu?.server, wallSeconds: cpu?.wallSeconds ?? 0 };
  } finally {
    if (timer) clearInterval(timer);
    await roles.terminate();
  }
}

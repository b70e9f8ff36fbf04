// JetStream scenarios: js pub (sync or async with a window of unacknowledged publishes), js pull and
// js push (a stream filled first, then consumed with acks), all through the API prefix in the options,
// so the same runs measure a stream used across accounts (an imported API and deliver subject).
// Each ends by asking the server: the stream holds what was acknowledged, the consumer has nothing
// pending, every stream sequence was delivered once.
import { JsApi } from "../jsapi.js";
import { type BenchOptions, roleBase } from "../options.js";
import { Roles } from "../pool.js";
import type { RoleHandle } from "../pool.js";
import { type Check, type ScenarioOutcome, checkEqual, checkErrors, checkOrder, checkSeen, rateOf, split } from "./result.js";

const FILL_WINDOW = 256;
const NS = 1_000_000;

export async function freshStream(api: JsApi, o: BenchOptions): Promise<void> {
  await api.dropStream(o.stream);
  await api.must(`STREAM.CREATE.${o.stream}`, { name: o.stream, subjects: [o.subject], storage: o.storage, retention: "limits", discard: "old", num_replicas: 1 });
}

function ackingPublishers(roles: Roles, o: BenchOptions, subjects: string[], shares: number[], window: number): RoleHandle[] {
  return shares.map((count, pub) =>
    roles.add({ role: "publisher", ...roleBase(o), subjects, size: o.size, count, pub, reply: `_INBOX.bench.ack${pub}.${Math.floor(Math.random() * 1e9)}`, window }),
  );
}

export async function jsPub(o: BenchOptions, roles: Roles): Promise<ScenarioOutcome> {
  const api = await JsApi.open(o.server, o.creds, o.api);
  try {
    await freshStream(api, o);
    const window = o.sync ? 1 : o.window;
    const pubs = ackingPublishers(roles, o, [o.subject], split(o.msgs, o.pubs), window);
    const start = await roles.start();
    const results = await Promise.all(pubs.map((p) => p.result));
    const info = await api.streamInfo(o.stream);
    const label = o.sync ? `js pub sync (${o.storage})` : `js pub async (window ${window}, ${o.storage})`;
    return {
      rates: [rateOf(label, start, results, o.size)],
      checks: [checkErrors("every publish acknowledged", results), checkEqual("messages in the stream", info.state.messages, o.msgs)],
    };
  } finally {
    api.close();
  }
}

/** A fresh stream holding `msgs` messages (not timed). */
async function filledStream(api: JsApi, o: BenchOptions): Promise<void> {
  await freshStream(api, o);
  const fill = new Roles();
  try {
    const pubs = ackingPublishers(fill, o, [o.subject], [o.msgs], FILL_WINDOW);
    await fill.start();
    const [r] = await Promise.all(pubs.map((p) => p.result));
    if (r.errors > 0) throw new Error(`filling ${o.stream}: ${r.note}`);
  } finally {
    await fill.terminate();
  }
}

async function consumerChecks(api: JsApi, o: BenchOptions, name: string, results: { seen?: Uint8Array[] }[]): Promise<Check[]> {
  const checks: Check[] = [checkSeen("each stream message delivered once", results.map((r) => r.seen!), 1)];
  let info = await api.consumerInfo(o.stream, name);
  // Acks were sent before the receivers' last round trip, but a server may still be applying them.
  for (let i = 0; i < 100 && o.ack === "explicit" && info.num_ack_pending > 0; i++) {
    await new Promise((r) => setTimeout(r, 30));
    info = await api.consumerInfo(o.stream, name);
  }
  checks.push(checkEqual("consumer num_pending", info.num_pending, 0));
  if (o.ack === "explicit") checks.push(checkEqual("consumer num_ack_pending", info.num_ack_pending, 0));
  await api.call(`CONSUMER.DELETE.${o.stream}.${name}`);
  return checks;
}

export async function jsPull(o: BenchOptions, roles: Roles): Promise<ScenarioOutcome> {
  const api = await JsApi.open(o.server, o.creds, o.api);
  try {
    await filledStream(api, o);
    const name = "BENCH_PULL";
    await api.must(`CONSUMER.DURABLE.CREATE.${o.stream}.${name}`, {
      stream_name: o.stream,
      config: { durable_name: name, ack_policy: o.ack, deliver_policy: "all", max_ack_pending: Math.max(1000, o.batch * 2 * o.subs), max_waiting: 512 },
    });
    const pullers = Array.from({ length: o.subs }, () =>
      roles.add({ role: "puller", ...roleBase(o), api: o.api, stream: o.stream, consumer: name, batch: o.batch, ack: o.ack === "explicit", total: o.msgs }),
    );
    const start = await roles.start();
    const results = await roles.settle(pullers, o.msgs, o.stallMs);
    const checks = await consumerChecks(api, o, name, results);
    if (o.subs === 1) checks.push(checkOrder("stream order", results));
    return { rates: [rateOf(`js pull (batch ${o.batch}, ack ${o.ack})`, start, results, o.size)], checks: [...checks, checkErrors("no error statuses", results)] };
  } finally {
    api.close();
  }
}

export async function jsPush(o: BenchOptions, roles: Roles): Promise<ScenarioOutcome> {
  const api = await JsApi.open(o.server, o.creds, o.api);
  try {
    await filledStream(api, o);
    const name = "BENCH_PUSH";
    const group = o.subs > 1 ? "bench" : undefined;
    const receivers = Array.from({ length: o.subs }, () =>
      roles.add({ role: "push", ...roleBase(o), deliver: o.deliver, queue: group, ack: o.ack === "explicit", total: o.msgs }),
    );
    const start = await roles.start();
    // Created once the receivers listen, so the timing includes the consumer's start.
    await api.must(`CONSUMER.DURABLE.CREATE.${o.stream}.${name}`, {
      stream_name: o.stream,
      config: {
        durable_name: name,
        deliver_subject: o.deliver,
        deliver_group: group,
        ack_policy: o.ack,
        deliver_policy: "all",
        flow_control: true,
        idle_heartbeat: 1000 * NS,
        // Acks none with a limit is refused (10082).
        max_ack_pending: o.ack === "explicit" ? 20_000 : undefined,
      },
    });
    const results = await roles.settle(receivers, o.msgs, o.stallMs);
    const checks = await consumerChecks(api, o, name, results);
    if (o.subs === 1) checks.push(checkOrder("stream order", results));
    return { rates: [rateOf(`js push (ack ${o.ack})`, start, results, o.size)], checks };
  } finally {
    api.close();
  }
}

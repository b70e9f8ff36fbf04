// KV scenarios on a bucket (a stream `KV_<bucket>` as the nats clients create it): put (publishes to
// `$KV.<bucket>.<key>` over --keys keys, acknowledged, a window at a time) and get (direct gets of
// the last value per key, the way the nats KV client reads).
import { JsApi } from "../jsapi.js";
import { type BenchOptions, roleBase } from "../options.js";
import { Roles } from "../pool.js";
import { type ScenarioOutcome, checkEqual, checkErrors, percentiles, rateOf, split } from "./result.js";

const keySubjects = (o: BenchOptions) => Array.from({ length: o.keys }, (_, i) => `$KV.${o.bucket}.k${i}`);

async function freshBucket(api: JsApi, o: BenchOptions): Promise<void> {
  const stream = `KV_${o.bucket}`;
  await api.dropStream(stream);
  await api.must(`STREAM.CREATE.${stream}`, {
    name: stream,
    subjects: [`$KV.${o.bucket}.>`],
    storage: o.storage,
    retention: "limits",
    max_msgs_per_subject: 1,
    discard: "new",
    allow_rollup_hdrs: true,
    deny_delete: true,
    allow_direct: true,
    num_replicas: 1,
    duplicate_window: 120_000_000_000,
  });
}

export async function kvPut(o: BenchOptions, roles: Roles): Promise<ScenarioOutcome> {
  const api = await JsApi.open(o.server, o.creds, o.api);
  try {
    await freshBucket(api, o);
    const keys = keySubjects(o);
    // Each publisher starts at the key after the previous one's share, so together they cover the keys.
    const shares = split(o.msgs, o.pubs);
    const pubs = shares.map((count, pub) =>
      roles.add({ role: "publisher", ...roleBase(o), subjects: keys, firstSubject: shares.slice(0, pub).reduce((a, b) => a + b, 0), size: o.size, count, pub, reply: `_INBOX.bench.kv${pub}`, window: o.window }),
    );
    const start = await roles.start();
    const results = await Promise.all(pubs.map((p) => p.result));
    const info = await api.streamInfo(`KV_${o.bucket}`);
    return {
      rates: [rateOf(`kv put (${o.keys} keys, window ${o.window})`, start, results, o.size)],
      checks: [checkErrors("every put acknowledged", results), checkEqual("keys in the bucket", info.state.messages, Math.min(o.keys, o.msgs))],
    };
  } finally {
    api.close();
  }
}

export async function kvGet(o: BenchOptions, roles: Roles): Promise<ScenarioOutcome> {
  const api = await JsApi.open(o.server, o.creds, o.api);
  try {
    await freshBucket(api, o);
    const fill = new Roles();
    try {
      const filler = fill.add({ role: "publisher", ...roleBase(o), subjects: keySubjects(o), size: o.size, count: o.keys, pub: 0, reply: "_INBOX.bench.kvfill", window: 256 });
      await fill.start();
      const filled = await filler.result;
      if (filled.errors > 0) throw new Error(`filling the bucket: ${filled.note}`);
    } finally {
      await fill.terminate();
    }
    const subjects = keySubjects(o).map((k) => `${o.api}.DIRECT.GET.KV_${o.bucket}.${k}`);
    const requesters = split(o.msgs, o.pubs).map((count, i) =>
      roles.add({ role: "requester", ...roleBase(o), subjects, size: 0, count, window: o.window, inbox: `_INBOX.bench.kvget${i}` }),
    );
    const start = await roles.start();
    const results = await Promise.all(requesters.map((r) => r.result));
    return {
      rates: [rateOf(`kv get (${o.keys} keys, window ${o.window})`, start, results, o.size)],
      latency: percentiles(results.map((r) => r.latencies!)),
      checks: [checkEqual("answers", results.reduce((n, r) => n + r.count, 0), o.msgs), checkErrors("every key found", results)],
    };
  } finally {
    api.close();
  }
}

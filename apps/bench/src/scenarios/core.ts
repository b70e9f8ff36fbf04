// Core NATS scenarios: pub, sub, pubsub, fanout, queue and req. Publishers and subscribers each run in a
// worker thread; every subscriber checks what it got (count, order per publisher, no duplicates).
import { type BenchOptions, roleBase } from "../options.js";
import { Roles } from "../pool.js";
import type { RoleResult, SubscriberSpec } from "../roles/types.js";
import { STAMP_BYTES } from "../wire/stamped.js";
import { type Check, type ScenarioOutcome, checkEqual, checkErrors, checkOrder, checkSeen, percentiles, rateOf, split } from "./result.js";

/** Exactly-once and order need the stamp; payloads too small for one are only counted. */
function stamped(o: BenchOptions, checks: () => Check[]): Check[] {
  if (o.size >= STAMP_BYTES) return checks();
  return [{ name: `exactly-once and order not checked: payloads under ${STAMP_BYTES} bytes carry no stamp`, ok: true }];
}

function publishers(roles: Roles, o: BenchOptions, shares: number[]) {
  return shares.map((count, pub) => roles.add({ role: "publisher", ...roleBase(o), subjects: [o.subject], size: o.size, count, pub }));
}

function subscribers(roles: Roles, o: BenchOptions, shares: number[], n: number, queue?: string) {
  const spec: SubscriberSpec = { role: "subscriber", ...roleBase(o), subject: o.subject, queue, shares };
  return Array.from({ length: n }, () => roles.add(spec));
}

/** Publishers only: how fast the server takes messages nobody listens to. */
export async function pub(o: BenchOptions, roles: Roles): Promise<ScenarioOutcome> {
  const pubs = publishers(roles, o, split(o.msgs, o.pubs));
  const start = await roles.start();
  const results = await Promise.all(pubs.map((p) => p.result));
  return { rates: [rateOf("pub", start, results, o.size)], checks: [checkEqual("all published", sum(results), o.msgs)] };
}

/**
 * Subscribers waiting for `msgs` messages each from publishers elsewhere (another `tsnats-bench pub`
 * with the same --pubs): the receiving side alone. The run ends when all arrived or nothing moves.
 */
export async function sub(o: BenchOptions, roles: Roles): Promise<ScenarioOutcome> {
  const shares = split(o.msgs, o.pubs);
  const subs = subscribers(roles, o, shares, o.subs);
  const start = await roles.start();
  const results = await roles.settle(subs, o.msgs * o.subs, Math.max(o.stallMs, 60_000));
  return subCheck(start, o, results, shares, []);
}

/** N publishers, M subscribers on one subject: every subscriber gets every message. */
export async function pubsub(o: BenchOptions, roles: Roles): Promise<ScenarioOutcome> {
  const shares = split(o.msgs, o.pubs);
  const subs = subscribers(roles, o, shares, o.subs);
  const pubs = publishers(roles, o, shares);
  const start = await roles.start();
  const pubResults = await Promise.all(pubs.map((p) => p.result));
  const results = await roles.settle(subs, o.msgs * o.subs, o.stallMs);
  return subCheck(start, o, results, shares, pubResults);
}

function subCheck(start: number, o: BenchOptions, results: RoleResult[], shares: number[], pubResults: RoleResult[]): ScenarioOutcome {
  const rates = pubResults.length > 0 ? [rateOf("pub", start, pubResults, o.size)] : [];
  rates.push(rateOf(results.length > 1 ? `sub (all ${results.length})` : "sub", start, results, o.size));
  const checks = stamped(o, () => [
    ...results.map((r, i) => checkSeen(`subscriber ${i + 1} got each message once`, [r.seen!])),
    // Order holds per publisher on one connection (nats-server's guarantee).
    checkOrder("order per publisher", results),
  ]);
  checks.push(checkEqual("messages received", sum(results), shares.reduce((a, b) => a + b, 0) * results.length));
  return { rates, checks };
}

/** One queue group of M subscribers: each message reaches exactly one of them. */
export async function queue(o: BenchOptions, roles: Roles): Promise<ScenarioOutcome> {
  const shares = split(o.msgs, o.pubs);
  const subs = subscribers(roles, o, shares, o.subs, "q");
  const pubs = publishers(roles, o, shares);
  const start = await roles.start();
  const pubResults = await Promise.all(pubs.map((p) => p.result));
  const results = await roles.settle(subs, o.msgs, o.stallMs);
  const spread = results.map((r) => r.count).join("/");
  return {
    rates: [rateOf("pub", start, pubResults, o.size), rateOf(`queue (${spread})`, start, results, o.size)],
    checks: [...stamped(o, () => [checkSeen("each message delivered to exactly one member", results.map((r) => r.seen!))]), checkEqual("messages received", sum(results), o.msgs)],
  };
}

/**
 * Requests answered by M responders (a queue group): with --window 1, sequential latency; with a larger
 * window, throughput with that many requests outstanding per requester (--pubs requesters).
 */
export async function req(o: BenchOptions, roles: Roles): Promise<ScenarioOutcome> {
  const responders = Array.from({ length: Math.max(1, o.subs) }, () =>
    roles.add({ role: "responder", ...roleBase(o), subject: o.subject, queue: "responders", size: o.size }),
  );
  const requesters = split(o.msgs, o.pubs).map((count, i) =>
    roles.add({ role: "requester", ...roleBase(o), subjects: [o.subject], size: o.size, count, window: o.window, inbox: `_INBOX.bench${i}` }),
  );
  const start = await roles.start();
  const results = await Promise.all(requesters.map((r) => r.result));
  await roles.finish(responders);
  return {
    rates: [rateOf(o.window > 1 ? `requests (window ${o.window})` : "requests (sequential)", start, results, o.size)],
    latency: percentiles(results.map((r) => r.latencies!)),
    checks: [checkEqual("answers", sum(results), o.msgs), checkErrors("no error answers", results)],
  };
}

function sum(results: RoleResult[]): number {
  return results.reduce((n, r) => n + r.count, 0);
}

import { randomBase62 } from "@tsnats/protocol";
import type { ConsumerRecord } from "@tsnats/store";
import { subjectsCollide } from "@tsnats/subject";
import { type ConsumerConfig, type ConsumerCreateRequest, RetentionPolicy } from "./api-types.js";
import { Consumer, type ConsumerHost, type ConsumerState } from "./consumer.js";
import { CONSUMER_CONFIG_SHAPE, checkConsumerUpdate, filtersOf, normalizeConsumerConfig, sameConsumerConfig } from "./consumer-config.js";
import { JsApiError, JsErrors } from "./errors.js";
import { checkShape } from "./json-shape.js";
import type { Stream } from "./stream.js";

/** How a create request names its consumer (from the API subject). */
export interface CreateTarget {
  /** `CONSUMER.DURABLE.CREATE.<s>.<name>` */
  durable: boolean;
  /** The name in the subject, if any. */
  name: string | undefined;
  /** The filter in the subject (`CONSUMER.CREATE.<s>.<name>.<filter>`), if any. */
  filter: string | undefined;
}


/**
 * Checks a create request and decides the consumer's name and whether it is ephemeral, with nats-server
 * 2.9.10's rules for the three create subjects.
 */
export function createRequest(
  raw: unknown,
  streamName: string,
  target: CreateTarget,
): { name: string; ephemeral: boolean; config: Record<string, unknown>; action: string } {
  checkShape(raw, { stream_name: "string", config: CONSUMER_CONFIG_SHAPE, action: "string" });
  const req = raw as Partial<ConsumerCreateRequest>;
  if (req.stream_name !== streamName) throw new JsApiError(JsErrors.StreamMismatch);
  const action = req.action ?? "";
  if (action !== "" && action !== "create" && action !== "update") throw new JsApiError(JsErrors.InvalidJSON);
  const config = { ...(req.config ?? {}) } as Record<string, unknown>;
  // A filter in the subject names one subject; a consumer with several cannot use that form.
  if (target.filter !== undefined && Array.isArray(config.filter_subjects) && config.filter_subjects.length > 0) {
    throw new JsApiError(JsErrors.ConsumerMultipleFiltersNotAllowed);
  }
  const durable = typeof config.durable_name === "string" && config.durable_name !== "" ? config.durable_name : undefined;
  const named = typeof config.name === "string" && config.name !== "" ? config.name : undefined;
  if (target.durable) {
    if (durable === undefined) throw new JsApiError(JsErrors.ConsumerDurableNameNotSet);
    if (durable !== target.name) throw new JsApiError(JsErrors.ConsumerDurableNameNotMatchSubject);
    return { name: durable, ephemeral: false, config, action };
  }
  if (target.name === undefined) {
    if (durable !== undefined) throw new JsApiError(JsErrors.ConsumerEphemeralWithDurableName);
    return { name: named ?? randomBase62(8), ephemeral: true, config, action };
  }
  if (target.filter !== undefined && config.filter_subject !== target.filter) throw new JsApiError(JsErrors.ConsumerCreateFilterSubjectMismatch);
  if (durable !== undefined && durable !== target.name) throw new JsApiError(JsErrors.ConsumerDurableNameNotMatchSubject);
  if (named !== undefined && named !== target.name) throw new JsApiError(JsErrors.ConsumerDurableNameNotMatchSubject);
  if (durable !== undefined && named === undefined) config.name = target.name;
  return { name: target.name, ephemeral: durable === undefined, config, action };
}

/** Workqueue streams allow one consumer per message: no two unfiltered, no overlapping filters. */
export function checkWorkqueue(stream: Stream, cfg: ConsumerConfig, self: Consumer | undefined): void {
  if (stream.config.retention !== RetentionPolicy.Workqueue) return;
  const mine = filtersOf(cfg);
  for (const other of stream.consumers.values()) {
    if (other === self) continue;
    // An unfiltered consumer next to any other is "multiple non-filtered" (nats-server's wording).
    if (mine.length === 0) throw new JsApiError(JsErrors.ConsumerWQMultipleUnfiltered);
    const theirs = filtersOf(other.config);
    if (theirs.length === 0) throw new JsApiError(JsErrors.ConsumerWQConsumerNotUnique);
    for (const a of mine) for (const b of theirs) if (subjectsCollide(a, b)) throw new JsApiError(JsErrors.ConsumerWQConsumerNotUnique);
  }
}

/**
 * Creates a consumer, or returns the existing one when the same configuration is asked for again, or
 * updates a durable in place when only updatable fields changed.
 */
export function createConsumer(
  stream: Stream,
  raw: unknown,
  target: CreateTarget,
  host: ConsumerHost,
  now: bigint,
  accountFull: boolean,
): { consumer: Consumer; created: boolean; updated: boolean } {
  const { name, ephemeral, config, action } = createRequest(raw, stream.name, target);
  const cfg = normalizeConsumerConfig(config, stream.config, ephemeral);
  const existing = stream.consumers.get(name);
  // The 2.10 actions: "create" never changes an existing consumer, "update" never makes a new one.
  if (existing === undefined && action === "update") throw new JsApiError(JsErrors.ConsumerDoesNotExist);
  if (existing !== undefined) {
    if (sameConsumerConfig(existing.config, cfg)) return { consumer: existing, created: false, updated: false };
    if (action === "create") throw new JsApiError(JsErrors.ConsumerAlreadyExists);
    checkConsumerUpdate(existing.config, cfg);
    checkWorkqueue(stream, cfg, existing);
    existing.update(cfg);
    return { consumer: existing, created: false, updated: true };
  }
  // The direct consumers of sources and mirrors do not count against limits (nor show in listings).
  const streamMax = stream.config.max_consumers;
  const counted = [...stream.consumers.values()].filter((c) => !c.config.direct).length;
  if (!cfg.direct && ((streamMax > 0 && counted >= streamMax) || accountFull)) throw new JsApiError(JsErrors.MaximumConsumersLimit);
  checkWorkqueue(stream, cfg, undefined);
  const consumer = new Consumer(stream, name, cfg, now, ephemeral, host);
  stream.consumers.set(name, consumer);
  return { consumer, created: true, updated: false };
}

/** Each configuration's stored text: states are saved ten times a second, configurations rarely change. */
const configTexts = new WeakMap<ConsumerConfig, string>();

/** The record a durable consumer is stored as. */
export function consumerRecord(c: Consumer): ConsumerRecord {
  let config = configTexts.get(c.config);
  if (config === undefined) {
    config = JSON.stringify({ config: c.config, created: c.created.toString() });
    configTexts.set(c.config, config);
  }
  return { name: c.name, config, state: JSON.stringify(c.state()) };
}

/** Re-creates a durable consumer from its stored record. */
export function restoreConsumer(stream: Stream, rec: ConsumerRecord, host: ConsumerHost): Consumer | undefined {
  try {
    const { config, created } = JSON.parse(rec.config) as { config: ConsumerConfig; created: string };
    const state = JSON.parse(rec.state) as ConsumerState;
    const c = new Consumer(stream, rec.name, config, BigInt(created), false, host, state);
    stream.consumers.set(rec.name, c);
    return c;
  } catch {
    return undefined;
  }
}

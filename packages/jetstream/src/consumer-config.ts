import { isValidSubject, subjectIsSubsetMatch, subjectsCollide } from "@tsnats/subject";
import { AckPolicy, type ConsumerConfig, DeliverPolicy, ReplayPolicy, RetentionPolicy, type StreamConfig } from "./api-types.js";
import { JsApiError, type JsErrorEntry, JsErrors } from "./errors.js";
import { type Shape, checkShape } from "./json-shape.js";

/** nats-server's consumer defaults. */
export const DEFAULT_ACK_WAIT = 30_000_000_000;
export const DEFAULT_MAX_ACK_PENDING = 1000;
export const DEFAULT_MAX_WAITING = 512;
export const DEFAULT_INACTIVE_THRESHOLD = 5_000_000_000;

export const CONSUMER_CONFIG_SHAPE: Shape = {
  name: "string",
  durable_name: "string",
  description: "string",
  deliver_policy: Object.values(DeliverPolicy),
  opt_start_seq: "number",
  opt_start_time: "string",
  ack_policy: Object.values(AckPolicy),
  ack_wait: "number",
  max_deliver: "number",
  backoff: ["number"],
  filter_subject: "string",
  filter_subjects: ["string"],
  replay_policy: Object.values(ReplayPolicy),
  rate_limit_bps: "number",
  sample_freq: "string",
  max_waiting: "number",
  max_ack_pending: "number",
  max_batch: "number",
  max_expires: "number",
  max_bytes: "number",
  headers_only: "boolean",
  inactive_threshold: "number",
  mem_storage: "boolean",
  num_replicas: "number",
  metadata: "object",
  deliver_subject: "string",
  deliver_group: "string",
  flow_control: "boolean",
  idle_heartbeat: "number",
  direct: "boolean",
};

function bad(entry: JsErrorEntry, values?: Record<string, string | number>): JsApiError {
  return new JsApiError(entry, values);
}

function policyError(description: string): JsApiError {
  return new JsApiError(JsErrors.ConsumerInvalidPolicy, { err: description });
}

/** The filters a consumer selects by (one, several, or none: everything). */
export function filtersOf(cfg: ConsumerConfig): string[] {
  if (cfg.filter_subjects !== undefined && cfg.filter_subjects.length > 0) return cfg.filter_subjects;
  if (cfg.filter_subject !== undefined && cfg.filter_subject !== "") return [cfg.filter_subject];
  return [];
}

/**
 * Fills a consumer configuration's defaults and checks it against its stream, the way nats-server 2.9.10
 * does (codes and wording observed on it). `ephemeral` is whether no durable name was asked for.
 */
export function normalizeConsumerConfig(raw: unknown, stream: StreamConfig, ephemeral: boolean): ConsumerConfig {
  checkShape(raw, CONSUMER_CONFIG_SHAPE);
  const c = raw as Partial<ConsumerConfig>;
  const push = c.deliver_subject !== undefined && c.deliver_subject !== "";
  const ack = c.ack_policy ?? AckPolicy.None;
  const deliver = c.deliver_policy ?? DeliverPolicy.All;

  for (const n of [c.durable_name, c.name]) {
    if (n !== undefined && n !== "" && /[.*>\s]/.test(n)) throw bad(JsErrors.ConsumerBadDurableName);
  }
  if (c.filter_subject !== undefined && c.filter_subject !== "" && (c.filter_subjects?.length ?? 0) > 0) {
    throw bad(JsErrors.ConsumerDuplicateFilterSubjects);
  }
  const cfgFilters = filtersOf(c as ConsumerConfig);
  for (const f of cfgFilters) {
    if (f === "") throw bad(JsErrors.ConsumerEmptyFilter);
    if (!isValidSubject(f)) throw bad(JsErrors.ConsumerFilterNotSubset);
    const streamSubjects = stream.subjects ?? [];
    if (streamSubjects.length > 0 && !streamSubjects.some((s) => subjectIsSubsetMatch(f, s) || subjectsCollide(f, s))) {
      throw bad(JsErrors.ConsumerFilterNotSubset);
    }
  }
  for (let i = 0; i < cfgFilters.length; i++) {
    for (let j = i + 1; j < cfgFilters.length; j++) {
      if (subjectsCollide(cfgFilters[i], cfgFilters[j])) throw bad(JsErrors.ConsumerOverlappingSubjectFilters);
    }
  }
  switch (deliver) {
    case DeliverPolicy.All:
    case DeliverPolicy.Last:
    case DeliverPolicy.New:
    case DeliverPolicy.LastPerSubject:
      if (deliver === DeliverPolicy.LastPerSubject && cfgFilters.length === 0) {
        throw policyError("consumer delivery policy is deliver last per subject, but optional filter subject is not set");
      }
      if ((c.opt_start_seq ?? 0) > 0) throw policyError(`consumer delivery policy is deliver ${deliverWords(deliver)}, but optional start sequence is also set`);
      if (c.opt_start_time !== undefined && c.opt_start_time !== "") throw policyError(`consumer delivery policy is deliver ${deliverWords(deliver)}, but optional start time is also set`);
      break;
    case DeliverPolicy.ByStartSequence:
      if ((c.opt_start_seq ?? 0) <= 0) throw policyError("consumer delivery policy is deliver by start sequence, but optional start sequence is not set");
      break;
    case DeliverPolicy.ByStartTime:
      if (c.opt_start_time === undefined || c.opt_start_time === "") throw policyError("consumer delivery policy is deliver by start time, but optional start time is not set");
      break;
  }
  if (push && c.max_waiting !== undefined && c.max_waiting > 0) throw bad(JsErrors.ConsumerPushMaxWaiting);
  // Push only (nats-server's order): a pull consumer without acks just ignores the limit.
  if (push && ack === AckPolicy.None && (c.max_ack_pending ?? 0) > 0) throw bad(JsErrors.ConsumerMaxPendingAckPolicyRequired);
  if (c.flow_control && (c.idle_heartbeat ?? 0) <= 0) throw bad(JsErrors.ConsumerWithFlowControlNeedsHeartbeats);
  if (!push && (c.idle_heartbeat ?? 0) > 0) throw bad(JsErrors.ConsumerHBRequiresPush);
  if (c.deliver_subject !== undefined && c.deliver_subject !== "") {
    if (!isValidSubject(c.deliver_subject) || c.deliver_subject.includes("*") || c.deliver_subject.includes(">")) {
      throw bad(JsErrors.ConsumerInvalidDeliverSubject);
    }
    for (const s of stream.subjects ?? []) if (subjectsCollide(c.deliver_subject, s)) throw bad(JsErrors.ConsumerDeliverCycle);
  }
  let maxDeliver = c.max_deliver ?? -1;
  if (maxDeliver === 0) maxDeliver = -1;
  if (c.backoff !== undefined && c.backoff.length > 0 && maxDeliver !== -1 && c.backoff.length >= maxDeliver) {
    throw bad(JsErrors.ConsumerMaxDeliverBackoff);
  }
  if (stream.retention === RetentionPolicy.Workqueue) {
    if (!push && ack === AckPolicy.None) throw bad(JsErrors.ConsumerPullRequiresAck);
    if (ack === AckPolicy.All) throw bad(JsErrors.ConsumerWQRequiresExplicitAck);
    if (deliver !== DeliverPolicy.All) throw bad(JsErrors.ConsumerWQConsumerNotDeliverAll);
  }

  // Field order as nats-server writes it; optional fields only when set.
  const out = {} as ConsumerConfig;
  if (c.durable_name) out.durable_name = c.durable_name;
  if (c.name) out.name = c.name;
  if (c.description) out.description = c.description;
  out.deliver_policy = deliver;
  if ((c.opt_start_seq ?? 0) > 0) out.opt_start_seq = c.opt_start_seq;
  if (c.opt_start_time) out.opt_start_time = c.opt_start_time;
  out.ack_policy = ack;
  if (ack !== AckPolicy.None) {
    const backoff = c.backoff ?? [];
    out.ack_wait = backoff.length > 0 ? backoff[0] : c.ack_wait && c.ack_wait > 0 ? c.ack_wait : DEFAULT_ACK_WAIT;
  } else if (c.ack_wait && c.ack_wait > 0) {
    out.ack_wait = c.ack_wait;
  }
  out.max_deliver = maxDeliver;
  if (c.backoff !== undefined && c.backoff.length > 0) out.backoff = c.backoff;
  if (c.filter_subject) out.filter_subject = c.filter_subject;
  if (c.filter_subjects !== undefined && c.filter_subjects.length > 0) out.filter_subjects = c.filter_subjects;
  out.replay_policy = c.replay_policy ?? ReplayPolicy.Instant;
  if (c.rate_limit_bps) out.rate_limit_bps = c.rate_limit_bps;
  if (c.sample_freq) out.sample_freq = c.sample_freq;
  if (!push) out.max_waiting = c.max_waiting && c.max_waiting > 0 ? c.max_waiting : DEFAULT_MAX_WAITING;
  if (ack !== AckPolicy.None) out.max_ack_pending = c.max_ack_pending && c.max_ack_pending > 0 ? c.max_ack_pending : DEFAULT_MAX_ACK_PENDING;
  else if (c.max_ack_pending && c.max_ack_pending > 0) out.max_ack_pending = c.max_ack_pending;
  if (c.idle_heartbeat) out.idle_heartbeat = c.idle_heartbeat;
  if (c.flow_control) out.flow_control = true;
  if (c.headers_only) out.headers_only = true;
  if (c.max_batch) out.max_batch = c.max_batch;
  if (c.max_expires) out.max_expires = c.max_expires;
  if (c.max_bytes) out.max_bytes = c.max_bytes;
  if (push) out.deliver_subject = c.deliver_subject;
  if (c.deliver_group) out.deliver_group = c.deliver_group;
  const threshold = c.inactive_threshold && c.inactive_threshold > 0 ? c.inactive_threshold : ephemeral ? DEFAULT_INACTIVE_THRESHOLD : 0;
  if (threshold > 0) out.inactive_threshold = threshold;
  out.num_replicas = c.num_replicas ?? 0;
  if (c.mem_storage) out.mem_storage = true;
  if (c.metadata !== undefined && Object.keys(c.metadata).length > 0) out.metadata = c.metadata;
  if (c.direct) out.direct = true;
  return out;
}

function deliverWords(p: string): string {
  return p === DeliverPolicy.LastPerSubject ? "last per subject" : p;
}

/** What a durable's update may not change (nats-server 2.9.10: 500/10012 with these words). */
export function checkConsumerUpdate(old: ConsumerConfig, next: ConsumerConfig): void {
  if (old.ack_policy !== next.ack_policy) throw new JsApiError(JsErrors.ConsumerCreate, { err: "ack policy can not be updated" });
  if (old.deliver_policy !== next.deliver_policy) throw new JsApiError(JsErrors.ConsumerCreate, { err: "deliver policy can not be updated" });
  if ((old.max_waiting ?? 0) !== (next.max_waiting ?? 0)) throw new JsApiError(JsErrors.ConsumerCreate, { err: "max waiting can not be updated" });
  if ((old.opt_start_seq ?? 0) !== (next.opt_start_seq ?? 0)) throw new JsApiError(JsErrors.ConsumerCreate, { err: "start sequence can not be updated" });
  if ((old.deliver_subject === undefined) !== (next.deliver_subject === undefined)) {
    throw new JsApiError(JsErrors.ConsumerCreate, { err: "can not update push consumer to pull based" });
  }
}

export function sameConsumerConfig(a: ConsumerConfig, b: ConsumerConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

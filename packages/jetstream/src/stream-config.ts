import { isValidLiteralSubject, isValidSubject, subjectsCollide } from "@tsnats/subject";
import {
  DiscardPolicy,
  type ExternalStream,
  type Placement,
  type Republish,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamSource,
  type SubjectTransform,
} from "./api-types.js";
import { JsApiError, JsErrors } from "./errors.js";
import { type Shape, checkShape } from "./json-shape.js";

/** nats-server's default duplicate window: two minutes, in ns. */
const DEFAULT_DUPLICATE_WINDOW = 120_000_000_000;
const MAX_NAME_LEN = 255;
const MAX_REPLICAS = 5;

/** Go unmarshals into typed fields: a value of the wrong type (or an unknown enum) is "invalid JSON". */
const SOURCE_SHAPE: Shape = {
  name: "string",
  opt_start_seq: "number",
  opt_start_time: "string",
  filter_subject: "string",
  subject_transforms: "array",
  external: { api: "string", deliver: "string" },
};

const STREAM_CONFIG_SHAPE: Shape = {
  name: "string",
  description: "string",
  subjects: ["string"],
  subject_transform: { src: "string", dest: "string" },
  retention: Object.values(RetentionPolicy),
  max_consumers: "number",
  max_msgs: "number",
  max_bytes: "number",
  max_age: "number",
  max_msgs_per_subject: "number",
  max_msg_size: "number",
  storage: Object.values(StorageType),
  num_replicas: "number",
  no_ack: "boolean",
  discard: Object.values(DiscardPolicy),
  discard_new_per_subject: "boolean",
  duplicate_window: "number",
  placement: { cluster: "string", tags: ["string"] },
  mirror: SOURCE_SHAPE,
  sources: [SOURCE_SHAPE],
  sealed: "boolean",
  deny_delete: "boolean",
  deny_purge: "boolean",
  allow_rollup_hdrs: "boolean",
  allow_direct: "boolean",
  mirror_direct: "boolean",
  republish: { src: "string", dest: "string", headers_only: "boolean" },
  metadata: "object",
  first_seq: "number",
  compression: ["none", "s2"],
};

/**
 * Sources and mirrors in other accounts: the deliver prefix must be a subject without wildcards (10024),
 * and the API prefix must not be the JetStream API itself (10021), as nats-server checks them.
 */
function checkExternals(sources: StreamSource[]): void {
  for (const src of sources) {
    const ext = src.external;
    if (ext === undefined) continue;
    if (ext.deliver !== undefined && ext.deliver !== "" && !isValidLiteralSubject(ext.deliver)) {
      throw new JsApiError(JsErrors.StreamInvalidExternalDeliverySubj, { prefix: ext.deliver });
    }
    if (!isValidLiteralSubject(ext.api)) throw invalid(`stream external api prefix ${JSON.stringify(ext.api)} must be a valid subject without wildcards`);
    if (subjectsCollide(ext.api, "$JS.API")) throw new JsApiError(JsErrors.StreamExternalApiOverlap, { prefix: ext.api, subject: "$JS.API" });
  }
}

function invalid(reason: string): JsApiError {
  return new JsApiError(JsErrors.StreamInvalidConfig, { err: reason });
}

/** A limit of 0 means "none" to nats-server, which reports it as -1. */
function limit(v: number | undefined): number {
  return v === undefined || v === 0 ? -1 : v;
}

/**
 * Parses a STREAM.CREATE/UPDATE body into a complete configuration, the way nats-server fills defaults
 * and checks it (wording and codes observed on nats-server 2.9.10). `subjectName` is the name in the API
 * subject. Checks that need the other streams (subject overlap) are the account's.
 */
export function normalizeStreamConfig(raw: unknown, subjectName: string): StreamConfig {
  checkShape(raw, STREAM_CONFIG_SHAPE);
  const c = raw as Partial<StreamConfig>;
  if ((c.name ?? "") !== subjectName) throw new JsApiError(JsErrors.StreamMismatch);
  const name = subjectName;
  if (name === "" || /[.*>\s]/.test(name)) throw invalid("stream name is required and can not contain '.', '*', '>'");
  if (name.includes("/") || name.includes("\\")) throw new JsApiError(JsErrors.StreamNameContainsPathSeparators);
  if (name.length > MAX_NAME_LEN) throw invalid(`stream name is too long, maximum allowed is ${MAX_NAME_LEN}`);

  let replicas = c.num_replicas ?? 1;
  if (replicas === 0) replicas = 1;
  if (replicas < 0) throw new JsApiError(JsErrors.ReplicasCountCannotBeNegative);
  if (replicas > MAX_REPLICAS) throw invalid(`maximum replicas is ${MAX_REPLICAS}`);
  if (replicas > 1) throw new JsApiError(JsErrors.StreamReplicasNotSupported);

  const maxAge = c.max_age ?? 0;
  if (maxAge < 0) throw invalid("duplicates window can not be negative");
  let dup = c.duplicate_window ?? 0;
  if (dup < 0) throw invalid("duplicates window can not be negative");
  if (dup === 0) dup = maxAge > 0 && maxAge < DEFAULT_DUPLICATE_WINDOW ? maxAge : DEFAULT_DUPLICATE_WINDOW;
  if (maxAge > 0 && dup > maxAge) throw invalid("duplicates window can not be larger then max age");

  const discard = c.discard ?? DiscardPolicy.Old;
  const maxPerSubject = limit(c.max_msgs_per_subject);
  if (c.discard_new_per_subject) {
    if (discard !== DiscardPolicy.New) throw invalid("discard new per subject requires discard new policy to be set");
    if (maxPerSubject <= 0) throw invalid("discard new per subject requires max msgs per subject > 0");
  }
  if (c.deny_purge && c.allow_rollup_hdrs) throw invalid("roll-ups require the purge permission");
  if (c.mirror_direct && c.mirror === undefined) throw invalid("stream has no mirror but does have mirror direct");
  if (c.mirror !== undefined && (c.subjects?.length ?? 0) > 0) throw new JsApiError(JsErrors.MirrorWithSubjects);
  if (c.mirror !== undefined && (c.sources?.length ?? 0) > 0) throw new JsApiError(JsErrors.MirrorWithSources);
  checkExternals(c.mirror !== undefined ? [c.mirror] : (c.sources ?? []));

  let subjects = c.subjects ?? [];
  if (subjects.length === 0 && c.mirror === undefined && (c.sources?.length ?? 0) === 0) subjects = [name];
  const seen = new Set<string>();
  for (const s of subjects) {
    if (seen.has(s)) throw invalid("duplicate subjects detected");
    seen.add(s);
    if (!isValidSubject(s)) throw invalid("invalid subject");
    if (subjectsCollide(s, "$JS.API.>")) throw invalid("subjects overlap with jetstream api");
  }
  for (let i = 0; i < subjects.length; i++) {
    for (let j = i + 1; j < subjects.length; j++) {
      if (subjectsCollide(subjects[i], subjects[j])) throw invalid(`subject ${JSON.stringify(subjects[i])} overlaps with ${JSON.stringify(subjects[j])}`);
    }
  }
  if (c.republish !== undefined) {
    const rp = c.republish;
    if (!isValidSubject(rp.dest)) throw invalid("stream configuration for republish destination is not valid");
    for (const s of subjects) if (subjectsCollide(s, rp.dest)) throw invalid("stream configuration for republish destination forms a cycle");
  }

  // Field order as nats-server writes it; optional ones only when set.
  const out: StreamConfig = { name } as StreamConfig;
  if (c.description !== undefined && c.description !== "") out.description = c.description;
  if (subjects.length > 0) out.subjects = subjects;
  if (c.subject_transform !== undefined) out.subject_transform = c.subject_transform as SubjectTransform;
  out.retention = c.retention ?? RetentionPolicy.Limits;
  out.max_consumers = limit(c.max_consumers);
  out.max_msgs = limit(c.max_msgs);
  out.max_bytes = limit(c.max_bytes);
  out.max_age = maxAge;
  out.max_msgs_per_subject = maxPerSubject;
  out.max_msg_size = limit(c.max_msg_size);
  out.discard = discard;
  out.storage = c.storage ?? StorageType.File;
  out.num_replicas = replicas;
  if (c.no_ack) out.no_ack = true;
  out.duplicate_window = dup;
  if (c.placement !== undefined) out.placement = c.placement as Placement;
  if (c.mirror !== undefined) out.mirror = c.mirror as StreamSource;
  if (c.sources !== undefined && c.sources.length > 0) out.sources = c.sources as StreamSource[];
  if (c.republish !== undefined) out.republish = c.republish as Republish;
  out.allow_direct = c.allow_direct ?? false;
  out.mirror_direct = c.mirror_direct ?? false;
  if (c.discard_new_per_subject) out.discard_new_per_subject = true;
  // A sealed stream takes no more messages and loses none: nats-server sets the policies that say so.
  if (c.sealed) out.discard = DiscardPolicy.New;
  out.sealed = c.sealed ?? false;
  out.deny_delete = (c.deny_delete ?? false) || out.sealed;
  out.deny_purge = (c.deny_purge ?? false) || out.sealed;
  out.allow_rollup_hdrs = c.allow_rollup_hdrs ?? false;
  if (c.metadata !== undefined && Object.keys(c.metadata).length > 0) out.metadata = c.metadata;
  if (c.first_seq !== undefined && c.first_seq > 0) out.first_seq = c.first_seq;
  if (c.compression !== undefined && c.compression !== "none") out.compression = c.compression;
  return out;
}

/** Create-time rules on top of the shared ones. */
export function checkCreate(cfg: StreamConfig): void {
  if (cfg.sealed) throw invalid("stream configuration for create can not be sealed");
}

/**
 * What an update may change (nats-server's rules): not the storage type, the retention policy, mirror
 * settings, nor unseal; everything else goes.
 */
export function checkUpdate(old: StreamConfig, next: StreamConfig): void {
  if (JSON.stringify(old.mirror) !== JSON.stringify(next.mirror)) throw new JsApiError(JsErrors.StreamMirrorNotUpdatable);
  if (old.storage !== next.storage) throw invalid("stream configuration update can not change storage type");
  if (old.retention !== next.retention) throw invalid("stream configuration update can not change retention policy");
  if (old.max_consumers !== next.max_consumers) throw invalid("stream configuration update can not change MaxConsumers");
  if (old.sealed && !next.sealed) throw invalid("stream configuration update can not unseal a sealed stream");
  if (old.deny_delete && !next.deny_delete) throw invalid("stream configuration update can not cancel deny message deletes");
  if (old.deny_purge && !next.deny_purge) throw invalid("stream configuration update can not cancel deny purge");
}

/** Whether two normalized configurations are the same (an idempotent create). */
export function sameConfig(a: StreamConfig, b: StreamConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export type { ExternalStream };

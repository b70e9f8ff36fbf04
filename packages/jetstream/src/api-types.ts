/**
 * The JetStream API's wire JSON, typed (snake_case as on the wire), after the schemas in
 * jsm-schemas/jetstream/api/v1 and nats.js's jsapi_types.ts. Times are RFC 3339 strings with
 * nanoseconds; durations are nanoseconds.
 */

export const RetentionPolicy = { Limits: "limits", Interest: "interest", Workqueue: "workqueue" } as const;
export type RetentionPolicy = (typeof RetentionPolicy)[keyof typeof RetentionPolicy];

export const StorageType = { File: "file", Memory: "memory" } as const;
export type StorageType = (typeof StorageType)[keyof typeof StorageType];

export const DiscardPolicy = { Old: "old", New: "new" } as const;
export type DiscardPolicy = (typeof DiscardPolicy)[keyof typeof DiscardPolicy];

export interface ApiError {
  code: number;
  err_code?: number;
  description?: string;
}

/** Every API response: either an error or the call's own fields, always with its `type`. */
export interface ApiResponse {
  type: string;
  error?: ApiError;
}

export interface SubjectTransform {
  src: string;
  dest: string;
}

export interface Republish {
  src: string;
  dest: string;
  headers_only?: boolean;
}

export interface ExternalStream {
  api: string;
  deliver?: string;
}

export interface StreamSource {
  name: string;
  opt_start_seq?: number;
  opt_start_time?: string;
  filter_subject?: string;
  subject_transforms?: SubjectTransform[];
  external?: ExternalStream;
}

export interface Placement {
  cluster?: string;
  tags?: string[];
}

export interface StreamConfig {
  name: string;
  description?: string;
  subjects?: string[];
  subject_transform?: SubjectTransform;
  retention: RetentionPolicy;
  max_consumers: number;
  max_msgs: number;
  max_bytes: number;
  max_age: number;
  max_msgs_per_subject?: number;
  max_msg_size?: number;
  storage: StorageType;
  num_replicas: number;
  no_ack?: boolean;
  discard?: DiscardPolicy;
  discard_new_per_subject?: boolean;
  duplicate_window?: number;
  placement?: Placement;
  mirror?: StreamSource;
  sources?: StreamSource[];
  sealed?: boolean;
  deny_delete?: boolean;
  deny_purge?: boolean;
  allow_rollup_hdrs?: boolean;
  allow_direct?: boolean;
  mirror_direct?: boolean;
  republish?: Republish;
  metadata?: Record<string, string>;
  first_seq?: number;
  compression?: "none" | "s2";
}

export interface StreamStateWire {
  messages: number;
  bytes: number;
  first_seq: number;
  first_ts: string;
  last_seq: number;
  last_ts: string;
  num_deleted?: number;
  deleted?: number[];
  num_subjects?: number;
  subjects?: Record<string, number>;
  consumer_count: number;
}

export interface StreamSourceInfo {
  name: string;
  external?: ExternalStream;
  lag: number;
  active: number;
  filter_subject?: string;
  error?: ApiError;
}

export interface StreamInfo {
  config: StreamConfig;
  created: string;
  state: StreamStateWire;
  cluster?: { name?: string; leader?: string };
  mirror?: StreamSourceInfo;
  sources?: StreamSourceInfo[];
  ts?: string;
}

export interface PubAck {
  stream: string;
  seq: number;
  duplicate?: boolean;
  domain?: string;
}

export interface AccountLimits {
  max_memory: number;
  max_storage: number;
  max_streams: number;
  max_consumers: number;
  max_ack_pending: number;
  memory_max_stream_bytes: number;
  storage_max_stream_bytes: number;
  max_bytes_required: boolean;
}

export interface ApiStats {
  total: number;
  errors: number;
}

export interface AccountInfo {
  memory: number;
  storage: number;
  streams: number;
  consumers: number;
  limits: AccountLimits;
  api: ApiStats;
  domain?: string;
}

/** Paging fields of list responses. */
export interface Paged {
  total: number;
  offset: number;
  limit: number;
}

export interface StreamInfoRequest {
  deleted_details?: boolean;
  subjects_filter?: string;
  offset?: number;
}

/** CONSUMER.NAMES and CONSUMER.LIST requests (nats-server 2.9 ignores `subject`). */
export interface ConsumerNamesRequest {
  offset?: number;
  subject?: string;
}

export interface StreamNamesRequest {
  offset?: number;
  subject?: string;
}

export interface PurgeRequest {
  filter?: string;
  seq?: number;
  keep?: number;
}

export interface MsgGetRequest {
  seq?: number;
  last_by_subj?: string;
  next_by_subj?: string;
}

export interface MsgDeleteRequest {
  seq: number;
  no_erase?: boolean;
}

/** A stored message as STREAM.MSG.GET returns it (headers and data base64). */
export interface StoredMsgWire {
  subject: string;
  seq: number;
  hdrs?: string;
  data?: string;
  time: string;
}

// ---- consumers (issue 5 builds on these) ------------------------------------------------------

export const DeliverPolicy = {
  All: "all",
  Last: "last",
  New: "new",
  ByStartSequence: "by_start_sequence",
  ByStartTime: "by_start_time",
  LastPerSubject: "last_per_subject",
} as const;
export type DeliverPolicy = (typeof DeliverPolicy)[keyof typeof DeliverPolicy];

export const AckPolicy = { None: "none", All: "all", Explicit: "explicit" } as const;
export type AckPolicy = (typeof AckPolicy)[keyof typeof AckPolicy];

export const ReplayPolicy = { Instant: "instant", Original: "original" } as const;
export type ReplayPolicy = (typeof ReplayPolicy)[keyof typeof ReplayPolicy];

export interface ConsumerConfig {
  name?: string;
  durable_name?: string;
  description?: string;
  deliver_policy: DeliverPolicy;
  opt_start_seq?: number;
  opt_start_time?: string;
  ack_policy: AckPolicy;
  ack_wait?: number;
  max_deliver?: number;
  backoff?: number[];
  filter_subject?: string;
  filter_subjects?: string[];
  replay_policy: ReplayPolicy;
  rate_limit_bps?: number;
  sample_freq?: string;
  max_waiting?: number;
  max_ack_pending?: number;
  max_batch?: number;
  max_expires?: number;
  max_bytes?: number;
  headers_only?: boolean;
  inactive_threshold?: number;
  mem_storage?: boolean;
  num_replicas?: number;
  metadata?: Record<string, string>;
  deliver_subject?: string;
  deliver_group?: string;
  flow_control?: boolean;
  idle_heartbeat?: number;
  direct?: boolean;
}

export interface SequenceInfo {
  consumer_seq: number;
  stream_seq: number;
  last_active?: string;
}

export interface ConsumerInfo {
  stream_name: string;
  name: string;
  created: string;
  config: ConsumerConfig;
  delivered: SequenceInfo;
  ack_floor: SequenceInfo;
  num_ack_pending: number;
  num_redelivered: number;
  num_waiting: number;
  num_pending: number;
  cluster?: { name?: string; leader?: string };
  push_bound?: boolean;
  ts?: string;
}

export interface ConsumerCreateRequest {
  stream_name: string;
  config: ConsumerConfig;
  action?: "create" | "update" | "";
}

export interface PullRequest {
  batch?: number;
  expires?: number;
  no_wait?: boolean;
  max_bytes?: number;
  idle_heartbeat?: number;
}

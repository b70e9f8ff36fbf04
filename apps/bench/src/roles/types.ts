// What each load-generating client does (a role, run in a worker thread of its own) and what it reports.
import type { Credentials, ServerAddress } from "../wire/conn.js";

interface RoleBase {
  server: ServerAddress;
  creds: Credentials;
  /** A sender whose answers stop coming for this long fails the run (receivers are stopped by the coordinator). */
  stallMs: number;
}

/** Publishes `count` stamped messages; with `reply`, waits for an answer per message, `window` at a time. */
export interface PublisherSpec extends RoleBase {
  role: "publisher";
  /** Messages go to these subjects in turn (one, or a KV bucket's keys). */
  subjects: string[];
  size: number;
  count: number;
  pub: number;
  /** Reply prefix for acks (JetStream publish, KV put): message n asks on `<reply>.<n>`; acks are counted, errors too. */
  reply?: string;
  window?: number;
  /** The index in `subjects` of the first message's subject (publishers sharing a bucket's keys start apart). */
  firstSubject?: number;
}

/** Counts what arrives on `subject`, checking stamps; runs until told to stop. */
export interface SubscriberSpec extends RoleBase {
  role: "subscriber";
  subject: string;
  queue?: string;
  /** Messages each publisher sends, to size the exactly-once check. */
  shares: number[];
}

/** Sends `count` requests, `window` outstanding, timing each; subjects are used in turn. */
export interface RequesterSpec extends RoleBase {
  role: "requester";
  subjects: string[];
  size: number;
  count: number;
  window: number;
  /** Reply subjects are `<inbox>.<request number>`. */
  inbox: string;
}

/** Answers every request on `subject` with a payload of `size` bytes. */
export interface ResponderSpec extends RoleBase {
  role: "responder";
  subject: string;
  queue?: string;
  size: number;
}

/** Pulls from a durable through `api` (a JS API prefix), acking each message unless `ack` is false. */
export interface PullerSpec extends RoleBase {
  role: "puller";
  api: string;
  stream: string;
  consumer: string;
  batch: number;
  ack: boolean;
  /** Messages in the stream (sizes the exactly-once check). */
  total: number;
}

/** Receives a push consumer's deliveries on `deliver`, answering flow control, acking unless `ack` is false. */
export interface PushSpec extends RoleBase {
  role: "push";
  deliver: string;
  queue?: string;
  ack: boolean;
  total: number;
}

export type RoleSpec = PublisherSpec | SubscriberSpec | RequesterSpec | ResponderSpec | PullerSpec | PushSpec;

export interface RoleResult {
  /** Messages sent (senders) or received (receivers). */
  count: number;
  /** Wall clock (epoch ms, sub-ms precision, comparable across threads) of the start signal and the last event. */
  start: number;
  end: number;
  /** Answers that were errors (PubAck errors, status replies, -ERR). */
  errors: number;
  outOfOrder: number;
  /** Per-publisher (or per stream sequence: index 0) delivery counts, for exactly-once checks. */
  seen?: Uint8Array[];
  /** Request latencies in microseconds. */
  latencies?: Float64Array;
  /** Anything else worth reporting (first error text). */
  note?: string;
}

/** Messages between the coordinating thread and a role's worker. */
export type ToWorker = { type: "start" } | { type: "stop" };
export type FromWorker =
  | { type: "ready" }
  | { type: "progress"; n: number }
  | { type: "done"; result: RoleResult }
  | { type: "error"; message: string };

/** What a role sees of its coordinator. */
export interface Control {
  /** Resolves when every role is ready and the run begins. */
  readonly started: Promise<void>;
  /** Resolves when the coordinator ends the run (receivers stop counting). */
  readonly stopped: Promise<void>;
  isStopped(): boolean;
  /** Tells the coordinator the role is connected and subscribed. */
  ready(): void;
  /** Units done so far, reported for the progress bar and the stop decision. */
  progress: number;
}

/** Wall clock in epoch ms with sub-ms precision, comparable between threads. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

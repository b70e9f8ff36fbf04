/**
 * The stream store: where a JetStream stream's messages live. One interface, two implementations
 * (memory and LMDB), one conformance suite run against both (test/conformance.ts).
 *
 * Ownership: a store is used by exactly one thread (the shard that owns the account), synchronously.
 * Writes are visible to reads at once; they become durable at `commit()`, which the shard calls once per
 * batch of work (group commit), before it acknowledges anything written since the previous commit.
 */

/** A stored message. `time` is nanoseconds since the Unix epoch. */
export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly time: bigint;
  /** The raw NATS header block (`NATS/1.0\r\n...\r\n\r\n`), or undefined when the message had none. */
  readonly headers: Uint8Array | undefined;
  readonly data: Uint8Array;
}

/** What STREAM.INFO reports as `state` (numbers; the API layer formats times). */
export interface StreamState {
  messages: number;
  /** Sum of the stored size of every message (see `messageSize`: it depends on the storage kind). */
  bytes: number;
  /** First sequence still stored; `lastSeq + 1` when the stream is empty (as nats-server reports). */
  firstSeq: number;
  /** Time of the first stored message; 0n when empty. */
  firstTime: bigint;
  /** Highest sequence ever assigned (does not go down when messages are removed or purged). */
  lastSeq: number;
  lastTime: bigint;
  /** Sequences between firstSeq and lastSeq that are gone (removed or erased). */
  numDeleted: number;
  /** Distinct subjects among the stored messages. */
  numSubjects: number;
}

/** What a purge removes: everything, or only a subject filter, only below `seq`, or all but the newest `keep`. */
export interface PurgeOptions {
  /** Only messages whose subject matches this (wildcards allowed). */
  filter?: string;
  /** Only messages with a sequence below this. */
  seq?: number;
  /** Keep this many of the newest messages (per the filter, when there is one). */
  keep?: number;
}

export interface StreamStore {
  /**
   * Stores a message under the next sequence (lastSeq + 1) and returns it. The store does not enforce
   * limits: the stream layer decides what to evict (see `remove`/`purge`) in the same batch.
   */
  append(subject: string, headers: Uint8Array | undefined, data: Uint8Array, time: bigint): StoredMessage;
  /**
   * Stores a message under `seq`, which must be greater than lastSeq (throws RangeError otherwise); the
   * sequences in between are skipped: on an empty store (no messages) firstSeq becomes `seq`, otherwise
   * they count as deleted (numDeleted, deleted()). Used by mirrors, which keep the origin's sequences.
   */
  appendAt(seq: number, subject: string, headers: Uint8Array | undefined, data: Uint8Array, time: bigint): StoredMessage;
  /** The message at `seq`, or undefined when it never existed or was removed. */
  get(seq: number): StoredMessage | undefined;
  /** The first message with sequence >= `from` whose subject matches `filter` (any subject when absent). */
  next(from: number, filter?: string): StoredMessage | undefined;
  /** The last (highest sequence) message whose subject matches `filter` (literal or wildcard). */
  last(filter: string): StoredMessage | undefined;
  /** Removes one message; false when it was not there. `erase` overwrites its bytes before removing. */
  remove(seq: number, erase?: boolean): boolean;
  /** Removes what the options select; returns how many messages were removed. */
  purge(opts?: PurgeOptions): number;
  state(): StreamState;
  /** Stored messages and bytes, as in state() but without resolving positions (limits and usage ask per store). */
  readonly storedMessages: number;
  readonly storedBytes: number;
  /** Number of stored messages per subject, for subjects matching `filter` (all when absent). */
  subjects(filter?: string): Map<string, number>;
  /** Stored messages with sequence >= `from` whose subject matches `filter` (for consumers' num_pending). */
  count(from: number, filter?: string): number;
  /** The deleted sequences between firstSeq and lastSeq, ascending (STREAM.INFO `deleted_details`). */
  deleted(): number[];
  /** Makes everything written so far durable (LMDB: one transaction, synced). No-op for memory. */
  commit(): void;
  /** Releases resources; the data stays (LMDB). */
  close(): void;
}

/** A stream as its account store knows it. */
export interface StreamRecord {
  name: string;
  /**
   * The incarnation: a fresh random id each time a stream of this name is created. Data is kept under it,
   * so deleting and re-creating a stream never resurrects or loses the wrong messages, even after a crash.
   */
  incarnation: string;
  /** The stream's configuration as JSON text (the JetStream layer owns its shape). */
  config: string;
  /** Creation time, ns since the epoch. */
  created: bigint;
}

/** A consumer's durable record: its configuration and its delivery state, both JSON text owned by the consumer layer. */
export interface ConsumerRecord {
  name: string;
  config: string;
  state: string;
}

/**
 * One account's storage: its streams (each with a StreamStore), and per stream its consumers' records.
 * The LMDB implementation keeps one environment (directory) per account, so an account can move.
 */
export interface AccountStore {
  /** Every stream stored (file storage); memory streams are not listed after a restart. */
  streams(): StreamRecord[];
  /** Creates a stream with a new incarnation; `memory` picks the memory store instead of the file store. */
  createStream(name: string, config: string, memory: boolean): { record: StreamRecord; store: StreamStore };
  /** Opens an existing (file) stream found by `streams()`. */
  openStream(record: StreamRecord): StreamStore;
  updateStreamConfig(name: string, config: string): void;
  /** Deletes the stream, its messages and its consumers. */
  deleteStream(name: string): void;
  consumers(stream: string): ConsumerRecord[];
  saveConsumer(stream: string, record: ConsumerRecord): void;
  deleteConsumer(stream: string, name: string): void;
  /** Makes everything written so far durable against a crash of the process (all streams of the account). */
  commit(): void;
  /** Flushes what was committed to the disk, so it also survives an OS crash (LMDB; no-op for memory). */
  sync(): void;
  close(): void;
}

/** Where a stream keeps its messages (JetStream `storage`): it changes how nats-server counts a message's bytes. */
export type StorageKind = "file" | "memory";

/**
 * The bytes a message counts for in `bytes` and limits, exactly as nats-server 2.9.10 reports them in
 * STREAM.INFO `state.bytes` (measured against it):
 * - memory streams: subject + headers + data + 16 (memstore `memStoreMsgSize`);
 * - file streams: subject + data + 30, plus headers + 4 when there are headers (filestore `fileStoreMsgSize`:
 *   22-byte record header + 8-byte hash, and a 4-byte length when the message has headers).
 * Lengths are in bytes (UTF-8 for the subject). An empty header block counts as none.
 */
export function messageSize(
  subject: string,
  headers: Uint8Array | undefined,
  data: Uint8Array,
  kind: StorageKind,
): number {
  return storedSize(Buffer.byteLength(subject), headers?.length ?? 0, data.length, kind);
}

/** `messageSize` from byte lengths: subject (UTF-8), header block (0 when none), data. */
export function storedSize(subjectBytes: number, headerBytes: number, dataBytes: number, kind: StorageKind): number {
  if (kind === "memory") return subjectBytes + headerBytes + dataBytes + 16;
  return subjectBytes + dataBytes + 30 + (headerBytes > 0 ? headerBytes + 4 : 0);
}

/**
 * The check `appendAt` makes before changing anything: `seq` must be a sequence (a safe integer, as the
 * LMDB keys hold below 2^53) past `lastSeq`.
 */
export function checkAppendSeq(seq: number, lastSeq: number): void {
  if (!Number.isSafeInteger(seq) || seq <= lastSeq) {
    throw new RangeError(`appendAt: sequence ${seq} is not an integer above the last sequence ${lastSeq}`);
  }
}

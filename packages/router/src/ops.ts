/**
 * Op codes of the batches between the front-end (main thread), the shards, and shards among themselves.
 * Batches between the front-end and a shard start with a u32 header: for main -> shard the batch's sequence
 * number; for shard -> main the sequence number of the main batch it answers (its MsgRef ops point into that
 * batch), or NO_ANSWER. Batches between shards have no header.
 */

/** main -> shard */
export const In = {
  /** u32 cid, str account, u8 flags (ClientFlags) — also re-sent when CONNECT changes the flags */
  Attach: 1,
  /** u32 cid */
  Detach: 2,
  /** u32 cid, u32 subscription id (the front-end's number for the client's sid), str subject, str queue ("" none) */
  Sub: 3,
  /** u32 cid, u32 subscription id, u32 max (0: now) */
  Unsub: 4,
  /** u32 cid, str subject, str reply ("" none), i32 headerSize (-1: none), bytes data */
  Pub: 5,
  /** u32 cid, u32 token: echoed back once everything before it from this client was processed */
  Barrier: 6,
  /**
   * A Pub (same fields) sent while nothing else was in flight to the shard: besides routing it, the shard
   * answers with delivery hints (Out.Hint) for its subject and for its reply subject's siblings, so the
   * front-end can deliver the next such messages itself (see delivery-hints.ts).
   */
  PubHinted: 7,
} as const;

/** shard -> main */
export const Out = {
  /** u32 subscription id, str subject, str reply, i32 headerSize, bytes data */
  Msg: 1,
  /**
   * u32 subscription id, u32 index: deliver the index-th Pub of the answered main batch, as it was published.
   * Never for a Pub on a `$JS.ACK.` subject: the front-end does not keep those (see isAckSubject).
   */
  MsgRef: 2,
  /** u32 cid, u32 token */
  Barrier: 3,
  /**
   * u32 cid (the publisher), u8 kind (HintKind), str key, u32 n + n x u32 plain subscription ids, u32 groups +
   * per queue group u32 n + n x u32 member ids: in the publisher's account, messages on the key (Exact) or on
   * any subject one token below it (Below) go to exactly these subscriptions (one member per group) and
   * nowhere else (none: nobody listens).
   */
  Hint: 4,
  /** str account: drop the account's delivery hints (its streams' subjects or the server's subscriptions changed). */
  HintsReset: 5,
  /**
   * u32 subscription id, u32 index, str reply, i32 headerSize, bytes data: a message on the reply subject of
   * the index-th Pub of the answered main batch (its PubAck), which the front-end holds as it was published.
   */
  MsgReplyRef: 6,
} as const;

export const HintKind = {
  Exact: 0,
  Below: 1,
} as const;

/** shard -> shard */
export const Peer = {
  /**
   * A message entering an account from an import: str account, str subject, str reply, i32 headerSize,
   * u8 hops, u8 kind (PeerKind), str from (the account it comes from: the importer for a request), str
   * shown (the subject deliveries show, "" when the routed one), then for Request: str responseType,
   * f64 threshold; then bytes data.
   */
  Pub: 1,
  /**
   * A shard's JetStream figures, for the server-wide limits: u32 shard, f64 memory used, f64 file used,
   * f64 memory reserved, f64 file reserved.
   */
  Usage: 2,
  /**
   * Interest through a stream import, for the exporter: u32 from shard, str exporter account, str subject
   * (in the exporter's space), str queue ("" none), i32 delta (+1 subscribed, -1 gone).
   */
  Interest: 3,
  /** u32 from shard: forget all interest that shard registered (it restarted and registers again). */
  InterestReset: 4,
  /** u32 from shard, u32 round: answer with Confirmed (held-barriers.ts). */
  Confirm: 5,
  /** u32 round: the Confirm of that round arrived, so did every Interest sent before it. */
  Confirmed: 6,
  /**
   * u32 from shard: forget all interest that shard registered, its current interest follows (sent in answer
   * to an InterestReset, so a peer that restarted learns what it lost; never answered itself).
   */
  InterestRestate: 7,
} as const;

export const PeerKind = {
  /** A response crossing back to the importer. */
  Plain: 0,
  /** Service import request: the receiving shard creates the response mapping in the exporter. */
  Request: 1,
  /** A stream import's delivery: it reaches the importer's subscribers and streams, nothing further. */
  Stream: 2,
} as const;

export const ClientFlags = {
  Echo: 1,
  NoResponders: 2,
} as const;

export const NO_ANSWER = 0xffffffff;

export { Router, type RouterOptions, type RouterSink } from "./router.js";
export { Shard, type ShardConfig, type ShardIO } from "./shard.js";
export { placeAccount } from "./placement.js";
export { BatchReader, BatchWriter } from "./codec.js";
export { In, Out, Peer, PeerKind, ClientFlags, NO_ANSWER } from "./ops.js";
export { type ShardJetStreamConfig } from "./shard-jetstream.js";

export type {
  AccountStore,
  ConsumerRecord,
  PurgeOptions,
  StorageKind,
  StoredMessage,
  StreamRecord,
  StreamState,
  StreamStore,
} from "./types.js";
export { messageSize, storedSize } from "./types.js";
export { MemoryStreamStore, type MemoryStreamStoreOptions } from "./memory-store.js";
export { MemoryAccountStore } from "./memory-account.js";
export { LmdbAccountStore, type LmdbAccountStoreOptions } from "./lmdb-account.js";
export { LmdbStreamStore } from "./lmdb-stream.js";

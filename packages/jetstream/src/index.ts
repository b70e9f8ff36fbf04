export * from "./api-types.js";
export { JsApiError, JsErrors, apiError, type JsErrorEntry, type JsErrorName } from "./errors.js";
export { AccountJetStream, type AccountHost, type ServerResources, type JetStreamLimits, UNLIMITED, DEFAULT_SYNC_INTERVAL } from "./account.js";
export { handleApi, notEnabledResponse, API_PREFIX } from "./api.js";
export { Stream } from "./stream.js";
export { normalizeStreamConfig } from "./stream-config.js";
export { nowNs, rfc3339, parseRfc3339, ZERO_TIME } from "./time.js";
export { Consumer } from "./consumer.js";
export { normalizeConsumerConfig } from "./consumer-config.js";

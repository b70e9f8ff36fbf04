/**
 * The status messages JetStream sends to pull requests and push deliver subjects: header-only messages
 * whose first header line carries a code and description (`NATS/1.0 404 No Messages`), exactly as
 * nats-server 2.9.10 writes them.
 */

import { encodeHeaders } from "@tsnats/protocol";

function block(status: number, description: string, fields: Array<[string, string | number]> = []): Buffer {
  return encodeHeaders({ status, description, fields: fields.map(([k, v]) => [k, String(v)]) });
}

const NO_MESSAGES = block(404, "No Messages");
const EXCEEDED_MAX_WAITING = block(409, "Exceeded MaxWaiting");
const PUSH_BASED = block(409, "Consumer is push based");
const CONSUMER_DELETED = block(409, "Consumer Deleted");
const FLOW_CONTROL = block(100, "FlowControl Request");

export const Status = {
  noMessages: () => NO_MESSAGES,
  requestTimeout: (pendingMsgs: number, pendingBytes: number) =>
    block(408, "Request Timeout", [
      ["Nats-Pending-Messages", pendingMsgs],
      ["Nats-Pending-Bytes", pendingBytes],
    ]),
  maxBytes: (pendingMsgs: number, pendingBytes: number) =>
    block(409, "Message Size Exceeds MaxBytes", [
      ["Nats-Pending-Messages", pendingMsgs],
      ["Nats-Pending-Bytes", pendingBytes],
    ]),
  exceededMaxWaiting: () => EXCEEDED_MAX_WAITING,
  exceededMaxBatch: (max: number) => block(409, `Exceeded MaxRequestBatch of ${max}`),
  exceededMaxExpires: (maxNs: number) => block(409, `Exceeded MaxRequestExpires of ${goDuration(maxNs)}`),
  exceededMaxBytes: (max: number) => block(409, `Exceeded MaxRequestMaxBytes of ${max}`),
  pushBased: () => PUSH_BASED,
  consumerDeleted: () => CONSUMER_DELETED,
  badRequest: (why: string) => block(400, `Bad Request${why ? ` - ${why}` : ""}`),
  idleHeartbeat: (lastConsumer: number, lastStream: number, stalled?: string) =>
    block(100, "Idle Heartbeat", [
      ["Nats-Last-Consumer", lastConsumer],
      ["Nats-Last-Stream", lastStream],
      ...(stalled !== undefined ? ([["Nats-Consumer-Stalled", stalled]] as Array<[string, string]>) : []),
    ]),
  flowControl: () => FLOW_CONTROL,
};

/** Go's time.Duration text for whole units (nats-server prints limits this way): 2s, 1m30s, 500ms. */
export function goDuration(ns: number): string {
  if (ns === 0) return "0s";
  if (ns < 1_000) return `${ns}ns`;
  if (ns < 1_000_000) return `${ns / 1_000}µs`;
  if (ns < 1_000_000_000) return `${ns / 1_000_000}ms`;
  let s = ns / 1e9;
  let out = "";
  const h = Math.floor(s / 3600);
  if (h > 0) {
    out += `${h}h`;
    s -= h * 3600;
  }
  const m = Math.floor(s / 60);
  if (h > 0 || m > 0) {
    out += `${m}m`;
    s -= m * 60;
  }
  return `${out}${Number(s.toFixed(9))}s`;
}

/**
 * The client protocol's `-ERR` table: the exact texts nats-server 2.9.10 sends (observed on the wire; note
 * the lowercase ones), and whether the server closes the connection after sending it.
 * Errors are data: code elsewhere names an entry, never spells the text.
 */
export interface ClientError {
  readonly text: string;
  /** The connection is closed after the error is sent. */
  readonly close: boolean;
}

function e(text: string, close: boolean): ClientError {
  return Object.freeze({ text, close });
}

export const ClientErrors = Object.freeze({
  unknownOp: e("Unknown Protocol Operation", true),
  maxPayload: e("Maximum Payload Violation", true),
  maxControlLine: e("maximum control line exceeded", true),
  maxConnections: e("maximum connections exceeded", true),
  invalidPublishSubject: e("Invalid Publish Subject", false),
  invalidSubject: e("Invalid Subject", false),
  authorizationViolation: e("Authorization Violation", true),
  authTimeout: e("Authentication Timeout", true),
  staleConnection: e("Stale Connection", true),
  noRespondersNeedsHeaders: e("no responders requires headers support", true),
  slowConsumer: e("Slow Consumer", true),
  serverShutdown: e("Server Shutdown", true),
  /** Publish to a subject the user's permissions do not allow; the connection stays open. */
  publishViolation: (subject: string) => e(`Permissions Violation for Publish to ${quote(subject)}`, false),
  /** A client may not use the server's reserved reply prefixes ($JS.ACK., _R_., _GR_.); the connection stays open. */
  replyViolation: (reply: string) => e(`Permissions Violation for Publish with Reply of ${quote(reply)}`, false),
  /** Subscribe to a subject the user's permissions do not allow; the connection stays open. */
  subscribeViolation: (subject: string, queue?: string) =>
    e(`Permissions Violation for Subscription to ${quote(subject)}${queue !== undefined ? ` using queue ${quote(queue)}` : ""}`, false),
});

/** Go's %q, which nats-server uses in these texts: a double-quoted, escaped string. */
function quote(s: string): string {
  return JSON.stringify(s);
}

export type ClientErrorName = { [K in keyof typeof ClientErrors]: (typeof ClientErrors)[K] extends ClientError ? K : never }[keyof typeof ClientErrors];

/** The bytes of `-ERR '<text>'\r\n`. */
export function encodeErr(err: ClientError | string): Buffer {
  const text = typeof err === "string" ? err : err.text;
  return Buffer.from(`-ERR '${text}'\r\n`, "utf8");
}

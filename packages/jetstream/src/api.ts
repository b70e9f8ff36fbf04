import { encodeHeaders } from "@tsnats/protocol";
import type { StoredMessage } from "@tsnats/store";
import { subjectsCollide } from "@tsnats/subject";
import type { AccountJetStream } from "./account.js";
import type { Stream } from "./stream.js";
import type { ApiError, ConsumerNamesRequest, MsgDeleteRequest, MsgGetRequest, PurgeRequest, StreamInfoRequest, StreamNamesRequest } from "./api-types.js";
import type { Consumer } from "./consumer.js";
import type { CreateTarget } from "./consumers.js";
import { JsApiError, JsErrors, apiError } from "./errors.js";
import { type Shape, checkShape, parseBody } from "./json-shape.js";
import { rfc3339 } from "./time.js";

export const API_PREFIX = "$JS.API.";
const TYPE = "io.nats.jetstream.api.v1.";

/** A request as the dispatcher sees it. */
export interface ApiRequest {
  /** Tokens after `$JS.API.` */
  readonly tokens: string[];
  readonly reply: string | undefined;
  readonly headers: Uint8Array | undefined;
  readonly data: Uint8Array;
}

/**
 * One API endpoint: the tokens it matches (`*` one token, `>` the rest), its response `type`, the fields
 * its error responses carry besides `type` and `error` (nats-server marshals its response structs, so
 * their zero values appear), and the handler producing the response fields.
 */
interface Endpoint {
  readonly pattern: string[];
  readonly type: string;
  readonly errorFields?: Record<string, unknown>;
  handle(js: AccountJetStream, req: ApiRequest): Record<string, unknown> | undefined;
}

const NAMES_PAGE = 1024;
const LIST_PAGE = 256;

function body<T>(req: ApiRequest, shape: Shape): T | undefined {
  const v = parseBody(req.data);
  if (v === undefined) return undefined;
  checkShape(v, shape);
  return v as T;
}

function requireEmpty(req: ApiRequest): void {
  if (req.data.length > 0) throw new JsApiError(JsErrors.NotEmptyRequest);
}

function storedWire(m: StoredMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { subject: m.subject, seq: m.seq };
  if (m.headers !== undefined && m.headers.length > 0) out.hdrs = Buffer.from(m.headers).toString("base64");
  if (m.data.length > 0) out.data = Buffer.from(m.data).toString("base64");
  out.time = rfc3339(m.time);
  return out;
}

const ENDPOINTS: Endpoint[] = [
  {
    pattern: ["INFO"],
    type: "account_info_response",
    handle: (js) => ({ ...js.info() }),
  },
  {
    pattern: ["STREAM", "CREATE", "*"],
    type: "stream_create_response",
    handle: (js, req) => {
      const raw = parseBody(req.data);
      if (raw === undefined) throw new JsApiError(JsErrors.InvalidJSON);
      const { stream } = js.createStream(raw, req.tokens[2]);
      const info = stream.info();
      return { config: info.config, created: info.created, state: info.state, did_create: true };
    },
  },
  {
    pattern: ["STREAM", "UPDATE", "*"],
    type: "stream_update_response",
    handle: (js, req) => {
      const raw = parseBody(req.data);
      if (raw === undefined) throw new JsApiError(JsErrors.InvalidJSON);
      const info = js.updateStream(raw, req.tokens[2]).info();
      return { config: info.config, created: info.created, state: info.state };
    },
  },
  {
    pattern: ["STREAM", "INFO", "*"],
    type: "stream_info_response",
    errorFields: { total: 0, offset: 0, limit: 0 },
    handle: (js, req) => {
      const r = body<StreamInfoRequest>(req, { deleted_details: "boolean", subjects_filter: "string", offset: "number" }) ?? {};
      const info = js.stream(req.tokens[2]).info({ subjectsFilter: r.subjects_filter, deletedDetails: r.deleted_details, offset: r.offset });
      return { ...info };
    },
  },
  {
    pattern: ["STREAM", "DELETE", "*"],
    type: "stream_delete_response",
    handle: (js, req) => {
      js.stream(req.tokens[2]);
      requireEmpty(req);
      js.deleteStream(req.tokens[2]);
      return { success: true };
    },
  },
  {
    pattern: ["STREAM", "PURGE", "*"],
    type: "stream_purge_response",
    errorFields: { purged: 0 },
    handle: (js, req) => {
      const stream = js.stream(req.tokens[2]);
      const r = body<PurgeRequest>(req, { filter: "string", seq: "number", keep: "number" }) ?? {};
      const purged = stream.purge(r);
      js.markDirty();
      return { success: true, purged };
    },
  },
  {
    pattern: ["STREAM", "NAMES"],
    type: "stream_names_response",
    errorFields: { total: 0, offset: 0, limit: 0, streams: null },
    handle: (js, req) => {
      const r = body<StreamNamesRequest>(req, { offset: "number", subject: "string" }) ?? {};
      const p = page(matchingStreams(js, r.subject), r.offset, NAMES_PAGE);
      return { ...p.paging, streams: p.items.length > 0 ? p.items.map((s) => s.name) : null };
    },
  },
  {
    pattern: ["STREAM", "LIST"],
    type: "stream_list_response",
    errorFields: { total: 0, offset: 0, limit: 0, streams: [] },
    handle: (js, req) => {
      const r = body<StreamNamesRequest>(req, { offset: "number", subject: "string" }) ?? {};
      const p = page(matchingStreams(js, r.subject), r.offset, LIST_PAGE);
      const streams = p.items.map((s) => {
        const { total: _t, offset: _o, limit: _l, ...info } = s.info();
        return info;
      });
      return { ...p.paging, streams };
    },
  },
  {
    pattern: ["STREAM", "MSG", "GET", "*"],
    type: "stream_msg_get_response",
    handle: (js, req) => {
      const stream = js.stream(req.tokens[3]);
      const r = body<MsgGetRequest>(req, { seq: "number", last_by_subj: "string", next_by_subj: "string" });
      if (r === undefined) throw new JsApiError(JsErrors.BadRequest);
      return { message: storedWire(stream.getMessage(r)) };
    },
  },
  {
    pattern: ["STREAM", "MSG", "DELETE", "*"],
    type: "stream_msg_delete_response",
    handle: (js, req) => {
      const stream = js.stream(req.tokens[3]);
      const r = body<MsgDeleteRequest>(req, { seq: "number", no_erase: "boolean" });
      if (r === undefined) throw new JsApiError(JsErrors.BadRequest);
      stream.deleteMessage(r.seq ?? 0, r.no_erase !== true);
      js.markDirty();
      return { success: true };
    },
  },
  {
    pattern: ["CONSUMER", "CREATE", "*"],
    type: "consumer_create_response",
    handle: (js, req) => createConsumer(js, req, { durable: false, name: undefined, filter: undefined }),
  },
  {
    pattern: ["CONSUMER", "CREATE", "*", "*"],
    type: "consumer_create_response",
    handle: (js, req) => createConsumer(js, req, { durable: false, name: req.tokens[3], filter: undefined }),
  },
  {
    pattern: ["CONSUMER", "CREATE", "*", "*", ">"],
    type: "consumer_create_response",
    handle: (js, req) => createConsumer(js, req, { durable: false, name: req.tokens[3], filter: req.tokens.slice(4).join(".") }),
  },
  {
    pattern: ["CONSUMER", "DURABLE", "CREATE", "*", "*"],
    type: "consumer_create_response",
    handle: (js, req) => createConsumer(js, req, { durable: true, name: req.tokens[4], filter: undefined }, req.tokens[3]),
  },
  {
    pattern: ["CONSUMER", "INFO", "*", "*"],
    type: "consumer_info_response",
    handle: (js, req) => ({ ...js.consumer(req.tokens[2], req.tokens[3]).info() }),
  },
  {
    pattern: ["CONSUMER", "DELETE", "*", "*"],
    type: "consumer_delete_response",
    handle: (js, req) => {
      const stream = js.stream(req.tokens[2]);
      const c = js.consumer(req.tokens[2], req.tokens[3]);
      requireEmpty(req);
      js.removeConsumer(stream, c);
      return { success: true };
    },
  },
  {
    pattern: ["CONSUMER", "NAMES", "*"],
    type: "consumer_names_response",
    errorFields: { total: 0, offset: 0, limit: 0, consumers: [] },
    handle: (js, req) => {
      const r = body<ConsumerNamesRequest>(req, { offset: "number", subject: "string" }) ?? {};
      const p = page(sortedConsumers(js, req.tokens[2]), r.offset, NAMES_PAGE);
      return { ...p.paging, consumers: p.items.map((c) => c.name) };
    },
  },
  {
    pattern: ["CONSUMER", "LIST", "*"],
    type: "consumer_list_response",
    errorFields: { total: 0, offset: 0, limit: 0, consumers: [] },
    handle: (js, req) => {
      const r = body<ConsumerNamesRequest>(req, { offset: "number", subject: "string" }) ?? {};
      const p = page(sortedConsumers(js, req.tokens[2]), r.offset, LIST_PAGE);
      return { ...p.paging, consumers: p.items.map((c) => c.info()) };
    },
  },
];

/** The three create subjects share one handler; the durable form has the stream one token later. */
function createConsumer(js: AccountJetStream, req: ApiRequest, target: CreateTarget, streamName = req.tokens[2]): Record<string, unknown> {
  const raw = parseBody(req.data);
  if (raw === undefined) throw new JsApiError(JsErrors.InvalidJSON);
  return { ...js.createConsumer(streamName, raw, target).info() };
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** One page of a listing, as nats-server pages them: an offset past the end is clamped to the total. */
function page<T>(all: T[], requested: number | undefined, limit: number): { items: T[]; paging: { total: number; offset: number; limit: number } } {
  const offset = Math.min(Math.max(0, requested ?? 0), all.length);
  return { items: all.slice(offset, offset + limit), paging: { total: all.length, offset, limit } };
}

/** A stream's consumers as listings show them: sorted, without the direct ones of sources and mirrors. */
function sortedConsumers(js: AccountJetStream, streamName: string): Consumer[] {
  return [...js.stream(streamName).consumers.values()].filter((c) => !c.config.direct).sort(byName);
}

function matchingStreams(js: AccountJetStream, subject: string | undefined): Stream[] {
  const all = [...js.streams.values()].sort(byName);
  if (subject === undefined || subject === "") return all;
  return all.filter((s) => (s.config.subjects ?? []).some((x) => subjectsCollide(subject, x)));
}

function matches(pattern: string[], tokens: string[]): boolean {
  const last = pattern.length - 1;
  if (pattern[last] === ">" ? tokens.length <= last : pattern.length !== tokens.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === ">") return true;
    if (pattern[i] !== "*" && pattern[i] !== tokens[i]) return false;
  }
  return true;
}

/**
 * Handles a `$JS.API.` request in an account with JetStream. A subject that is no endpoint (or names a
 * missing consumer or stream) gets no answer, as with nats-server, but it still counts as taken: the
 * account's API is a responder for all of `$JS.API.>`, so requesters get no 503 for it. Responses are
 * queued for after the commit of whatever the request changed.
 */
export function handleApi(js: AccountJetStream, subject: string, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array): boolean {
  const tokens = subject.slice(API_PREFIX.length).split(".");
  if (tokens[0] === "DIRECT" && tokens[1] === "GET") {
    directGet(js, tokens, reply, data);
    return true;
  }
  if (tokens[0] === "CONSUMER" && tokens[1] === "MSG" && tokens[2] === "NEXT") {
    nextRequest(js, tokens, reply, data);
    return true;
  }
  const ep = ENDPOINTS.find((e) => matches(e.pattern, tokens));
  if (ep === undefined) return true;
  js.api.total++;
  let response: Record<string, unknown>;
  try {
    response = { type: TYPE + ep.type, ...ep.handle(js, { tokens, reply, headers, data }) };
  } catch (err) {
    if (!(err instanceof JsApiError)) throw err;
    js.api.errors++;
    response = { type: TYPE + ep.type, error: err.error, ...ep.errorFields };
  }
  // nats-server carries out a request that came without a reply subject; it just cannot answer it.
  if (reply !== undefined) js.reply(reply, response);
  return true;
}

/** The error response of an account without JetStream (nats-server answers; it does not stay silent). */
export function notEnabledResponse(subject: string): Record<string, unknown> | undefined {
  const tokens = subject.slice(API_PREFIX.length).split(".");
  const ep = ENDPOINTS.find((e) => matches(e.pattern, tokens));
  if (ep === undefined) return undefined;
  return { type: TYPE + ep.type, error: apiError(JsErrors.NotEnabledForAccount), ...ep.errorFields };
}

/**
 * `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`: a pull request. It is not a JSON API call: the answer is
 * messages and status messages, and a request for a missing consumer (or without a reply) gets nothing.
 */
function nextRequest(js: AccountJetStream, tokens: string[], reply: string | undefined, data: Uint8Array): void {
  if (tokens.length !== 5 || reply === undefined) return;
  js.streams.get(tokens[3])?.consumers.get(tokens[4])?.pull(reply, data);
}

// ---- direct get -------------------------------------------------------------------------------

const statusHeader = (code: number, text: string) => encodeHeaders({ status: code, description: text });

/**
 * `$JS.API.DIRECT.GET.<stream>` (JSON body) and `$JS.API.DIRECT.GET.<stream>.<subject>` (last message on
 * the subject): the reply is the message itself, its headers plus Nats-Stream/Subject/Sequence/Time-Stamp;
 * problems are status messages (404, 408). Streams without allow_direct do not answer at all.
 */
function directGet(js: AccountJetStream, tokens: string[], reply: string | undefined, data: Uint8Array): void {
  if (tokens.length < 3) return;
  const stream = js.streams.get(tokens[2]);
  if (stream === undefined || !stream.config.allow_direct || reply === undefined) return;
  const empty = new Uint8Array(0);
  let req: MsgGetRequest;
  if (tokens.length > 3) {
    if (data.length > 0) {
      js.replyRaw(reply, statusHeader(408, "Bad Request"), empty);
      return;
    }
    req = { last_by_subj: tokens.slice(3).join(".") };
  } else {
    let v: unknown;
    try {
      v = data.length === 0 ? undefined : JSON.parse(Buffer.from(data).toString("utf8"));
    } catch {
      js.replyRaw(reply, statusHeader(408, "Malformed Request"), empty);
      return;
    }
    const r = (v ?? {}) as MsgGetRequest;
    if ((r.seq ?? 0) === 0 && !r.last_by_subj && !r.next_by_subj) {
      js.replyRaw(reply, statusHeader(408, "Empty Request"), empty);
      return;
    }
    req = r;
  }
  let m: StoredMessage;
  try {
    m = stream.getMessage(req);
  } catch (err) {
    const e = err instanceof JsApiError ? err.error : ({ code: 500 } as ApiError);
    js.replyRaw(reply, e.err_code === JsErrors.BadRequest.err_code ? statusHeader(408, "Bad Request") : statusHeader(404, "Message Not Found"), empty);
    return;
  }
  js.replyRaw(reply, directHeaders(stream.name, m), m.data);
}

function directHeaders(stream: string, m: StoredMessage): Buffer {
  let own = "";
  if (m.headers !== undefined && m.headers.length > 0) {
    const text = Buffer.from(m.headers).toString("latin1");
    const first = text.indexOf("\r\n");
    own = text.slice(first + 2, text.length - 2); // the header lines, without status line and final CRLF
  }
  return Buffer.from(
    `NATS/1.0\r\n${own}Nats-Stream: ${stream}\r\nNats-Subject: ${m.subject}\r\nNats-Sequence: ${m.seq}\r\nNats-Time-Stamp: ${rfc3339(m.time)}\r\n\r\n`,
    "latin1",
  );
}

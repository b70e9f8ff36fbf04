// JetStream API calls for setting up and checking runs (create a stream, a consumer, read their info),
// sent on a raw connection under any API prefix (`$JS.API`, or an imported `JS.<account>.API`).
import { type Credentials, RawConn, type ServerAddress } from "./wire/conn.js";
import { lastTokenNumber, statusOf } from "./wire/frames.js";

/** The `error` member of an API response (codes from server/errors.json). */
export interface ApiError {
  code: number;
  err_code?: number;
  description?: string;
}

/** Any API response: its own fields, or `error`. The runs read only the fields typed below. */
export type ApiResponse = Record<string, unknown> & { error?: ApiError };

/** The part of STREAM.INFO a run checks (io.nats.jetstream.api.v1.stream_info_response). */
export interface StreamInfoResponse {
  state: { messages: number; bytes: number; first_seq: number; last_seq: number };
}

/** The part of CONSUMER.INFO a run checks (io.nats.jetstream.api.v1.consumer_info_response). */
export interface ConsumerInfoResponse {
  num_pending: number;
  num_ack_pending: number;
}

export class JsApi {
  private readonly waiting = new Map<number, (r: ApiResponse) => void>();
  private next = 0;
  private readonly inbox = `_INBOX.api${Math.floor(Math.random() * 1e9)}`;

  private constructor(
    private readonly conn: RawConn,
    readonly prefix: string,
  ) {
    conn.handle((m) => {
      const id = lastTokenNumber(m);
      const resolve = this.waiting.get(id);
      if (resolve === undefined) return;
      this.waiting.delete(id);
      if (m.payloadEnd - m.payloadStart === m.headerBytes) {
        // A status with no body: 503 when nothing answers the subject (not exported, JetStream off).
        const status = statusOf(m);
        resolve({ error: { code: status, description: `status ${status}` } });
        return;
      }
      const text = m.buf.toString("utf8", m.payloadStart + m.headerBytes, m.payloadEnd);
      try {
        resolve(JSON.parse(text) as ApiResponse);
      } catch {
        resolve({ error: { code: 0, description: `not JSON: ${text.slice(0, 200)}` } });
      }
    });
  }

  static async open(server: ServerAddress, creds: Credentials, prefix = "$JS.API"): Promise<JsApi> {
    const conn = await RawConn.open(server, creds, "bench-api");
    const api = new JsApi(conn, prefix);
    await conn.send(`SUB ${api.inbox}.* 1\r\n`);
    await conn.ping();
    return api;
  }

  /** `subject` is relative to the prefix (`STREAM.INFO.S`); rejects on timeout, resolves errors as data. */
  call(subject: string, body?: unknown, timeoutMs = 10_000): Promise<ApiResponse> {
    const payload = body === undefined ? "" : JSON.stringify(body);
    const id = this.next++;
    const answer = new Promise<ApiResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.prefix}.${subject}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.conn.write(`PUB ${this.prefix}.${subject} ${this.inbox}.${id} ${Buffer.byteLength(payload)}\r\n${payload}\r\n`);
    });
    // A -ERR (say, a permissions violation) fails the call at once rather than after the timeout.
    return this.conn.guard(answer);
  }

  /** Like call, but an error response throws (setup steps that must succeed). */
  async must<T = ApiResponse>(subject: string, body?: unknown): Promise<T> {
    const r = await this.call(subject, body);
    if (r.error !== undefined) throw new Error(`${this.prefix}.${subject}: ${r.error.code} ${r.error.description ?? ""} (${r.error.err_code ?? "-"})`);
    return r as T;
  }

  streamInfo(stream: string): Promise<StreamInfoResponse> {
    return this.must<StreamInfoResponse>(`STREAM.INFO.${stream}`);
  }

  consumerInfo(stream: string, consumer: string): Promise<ConsumerInfoResponse> {
    return this.must<ConsumerInfoResponse>(`CONSUMER.INFO.${stream}.${consumer}`);
  }

  /** Deletes the stream if it exists (a fresh one per run); "not found" is fine. */
  async dropStream(name: string): Promise<void> {
    await this.call(`STREAM.DELETE.${name}`);
  }

  close(): void {
    this.conn.close();
  }
}

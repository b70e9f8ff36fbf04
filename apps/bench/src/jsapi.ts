// JetStream API calls for setting up and checking runs (create a stream, a consumer, read their info),
// sent on a raw connection under any API prefix (`$JS.API`, or an imported `JS.<account>.API`).
import { type Credentials, RawConn, type ServerAddress } from "./wire/conn.js";
import { parseDecimal } from "./wire/frames.js";

/** The `error` member of an API response (codes from server/errors.json). */
export interface ApiError {
  code: number;
  err_code?: number;
  description?: string;
}

export type ApiResponse = Record<string, any> & { error?: ApiError };

export class JsApi {
  private readonly waiting = new Map<number, (r: ApiResponse) => void>();
  private next = 0;
  private readonly inbox = `_INBOX.api${Math.floor(Math.random() * 1e9)}`;

  private constructor(
    private readonly conn: RawConn,
    readonly prefix: string,
  ) {
    conn.handle((m) => {
      let dot = m.subjectEnd - 1;
      while (dot > m.subjectStart && m.buf[dot] !== 46) dot--;
      const id = parseDecimal(m.buf, dot + 1, m.subjectEnd);
      const resolve = this.waiting.get(id);
      if (resolve === undefined) return;
      this.waiting.delete(id);
      if (m.payloadEnd - m.payloadStart === m.headerBytes) {
        // A status with no body: 503 when nothing answers the subject (not exported, JetStream off).
        const status = m.buf.toString("latin1", m.payloadStart + 9, m.payloadStart + 12);
        resolve({ error: { code: Number(status), description: `status ${status}` } });
        return;
      }
      resolve(JSON.parse(m.buf.toString("utf8", m.payloadStart + m.headerBytes, m.payloadEnd)));
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
    return new Promise<ApiResponse>((resolve, reject) => {
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
  }

  /** Like call, but an error response throws (setup steps that must succeed). */
  async must(subject: string, body?: unknown): Promise<ApiResponse> {
    const r = await this.call(subject, body);
    if (r.error !== undefined) throw new Error(`${this.prefix}.${subject}: ${r.error.code} ${r.error.description ?? ""} (${r.error.err_code ?? "-"})`);
    return r;
  }

  /** Deletes the stream if it exists (a fresh one per run); "not found" is fine. */
  async dropStream(name: string): Promise<void> {
    await this.call(`STREAM.DELETE.${name}`);
  }

  close(): void {
    this.conn.close();
  }
}

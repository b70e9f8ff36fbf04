import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MsgHdrs, type NatsConnection, headers as natsHeaders } from "nats";

/** A fresh JetStream store directory for a test. */
export function storeDir(): string {
  return mkdtempSync(join(tmpdir(), "tsnats-js-"));
}

/** A raw `$JS.API` request: the JSON body (or nothing) in, the parsed JSON response out. */
export async function api(nc: NatsConnection, subject: string, body?: unknown): Promise<Record<string, unknown>> {
  const data = body === undefined ? new Uint8Array(0) : typeof body === "string" ? new TextEncoder().encode(body) : new TextEncoder().encode(JSON.stringify(body));
  const m = await nc.request(`$JS.API.${subject}`, data, { timeout: 5000 });
  return JSON.parse(m.string()) as Record<string, unknown>;
}

/** Publishes with a reply and returns the raw PubAck JSON (errors included, as the wire has them). */
export async function publish(nc: NatsConnection, subject: string, data: string, hdrs?: Record<string, string>): Promise<Record<string, unknown>> {
  let h: MsgHdrs | undefined;
  if (hdrs !== undefined) {
    h = natsHeaders();
    for (const [k, v] of Object.entries(hdrs)) h.set(k, v);
  }
  const m = await nc.request(subject, new TextEncoder().encode(data), { timeout: 5000, ...(h ? { headers: h } : {}) });
  return JSON.parse(m.string()) as Record<string, unknown>;
}

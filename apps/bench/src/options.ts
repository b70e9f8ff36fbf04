// What a run is told: the server, the credentials and the shape of the load. Defaults follow `nats bench`.
import type { Credentials, ServerAddress } from "./wire/conn.js";

export interface BenchOptions {
  server: ServerAddress;
  creds: Credentials;
  /** Messages in total (split between publishers), or requests, or stream messages to consume. */
  msgs: number;
  size: number;
  pubs: number;
  subs: number;
  subject: string;
  /** Outstanding requests or unacknowledged publishes per client. */
  window: number;
  storage: "file" | "memory";
  /** JetStream publish: one at a time (window 1). */
  sync: boolean;
  stream: string;
  /** Pull batch size. */
  batch: number;
  ack: "explicit" | "none";
  /** The JetStream API prefix: `$JS.API`, or an imported one (`JS.<account>.API`) to consume across accounts. */
  api: string;
  /** Deliver subject of push consumers (an imported one across accounts). */
  deliver: string;
  bucket: string;
  keys: number;
  /** The server's process id, to report its CPU (compare mode knows it). */
  serverPid?: number;
  /** A run whose receivers stop making progress for this long ends and reports what was lost. */
  stallMs: number;
}

export const DEFAULTS: Omit<BenchOptions, "server" | "creds"> = {
  msgs: 100_000,
  size: 128,
  pubs: 1,
  subs: 1,
  subject: "bench",
  window: 1,
  storage: "file",
  sync: false,
  stream: "BENCH",
  batch: 500,
  ack: "explicit",
  api: "$JS.API",
  deliver: "bench.deliver",
  bucket: "BENCH",
  keys: 1000,
  stallMs: 5000,
};

/** What every client of a run shares: where to connect, as whom, and when waiting becomes a failure. */
export function roleBase(o: BenchOptions): { server: BenchOptions["server"]; creds: BenchOptions["creds"]; stallMs: number } {
  return { server: o.server, creds: o.creds, stallMs: o.stallMs };
}

import { type ConnectionOptions, type Msg, type NatsConnection, connect } from "nats";
import { waitUntil } from "./wait.js";

/** Opens `nats` connections and closes them all at the end of a test file. */
export class Clients {
  private readonly open: NatsConnection[] = [];

  constructor(private readonly url: () => string) {}

  async connect(opts: ConnectionOptions = {}): Promise<NatsConnection> {
    const nc = await connect({ servers: this.url(), reconnect: false, ...opts });
    this.open.push(nc);
    return nc;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((c) => c.close().catch(() => {})));
  }
}

/** Every message a subscription receives, in order, as it arrives. */
export interface Received {
  readonly msgs: Msg[];
  subjects(): string[];
  strings(): string[];
  /** Waits until `n` messages arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
}

export function received(nc: NatsConnection, subject: string, opts: { queue?: string } = {}): Received {
  const msgs: Msg[] = [];
  nc.subscribe(subject, { ...opts, callback: (_e, m) => msgs.push(m) });
  return {
    msgs,
    subjects: () => msgs.map((m) => m.subject),
    strings: () => msgs.map((m) => m.string()),
    waitFor: (n, timeoutMs = 10_000) => waitUntil(() => msgs.length >= n, timeoutMs, `${n} messages on ${subject}`),
  };
}

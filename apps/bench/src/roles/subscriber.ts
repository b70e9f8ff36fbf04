// Subscriber: counts deliveries on a subject (optionally in a queue group), checking each stamp for
// order per publisher and, for the exactly-once check, marking what it saw; it counts until stopped.
import { RawConn } from "../wire/conn.js";
import { StampLedger } from "../wire/stamped.js";
import { subscribeAndRun } from "./subscribe.js";
import { type Control, type RoleResult, type SubscriberSpec, wallNow } from "./types.js";

export async function subscriber(spec: SubscriberSpec, ctl: Control): Promise<RoleResult> {
  const conn = await RawConn.open(spec.server, spec.creds, "bench-sub");
  const seen = spec.shares.map((n) => new Uint8Array(n));
  const ledger = new StampLedger(seen);
  let last = 0;
  conn.handle((m) => {
    if (ctl.isStopped()) return;
    ledger.add(m.buf, m.payloadStart, m.payloadEnd);
    ctl.progress = ledger.received;
    last = wallNow();
  });
  const start = await subscribeAndRun(conn, ctl, spec.subject, spec.queue);
  conn.close();
  return { count: ledger.received, start, end: last || start, errors: 0, outOfOrder: ledger.outOfOrder, seen };
}

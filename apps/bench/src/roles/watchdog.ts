// A sender waits for answers (acks, replies); if they stop coming, the run must fail with what was
// missing rather than wait forever. The watchdog fails the connection, which rejects every wait on it.
import type { RawConn } from "../wire/conn.js";
import type { Control } from "./types.js";

export function watchdog(conn: RawConn, ctl: Control, stallMs: number, missing: () => string): () => void {
  let last = -1;
  let lastMove = Date.now();
  const timer = setInterval(() => {
    if (ctl.progress !== last) {
      last = ctl.progress;
      lastMove = Date.now();
    } else if (Date.now() - lastMove >= stallMs) {
      conn.fail(`stalled for ${stallMs} ms: ${missing()}`);
    }
  }, Math.min(1000, Math.max(50, stallMs / 4)));
  return () => clearInterval(timer);
}

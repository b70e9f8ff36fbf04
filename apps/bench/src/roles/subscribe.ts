import type { RawConn } from "../wire/conn.js";
import { type Control, wallNow } from "./types.js";

/** The SUB line a role subscribes with (sid 1: each role has one subscription). */
export function subscribeLine(subject: string, queue?: string): string {
  return queue === undefined ? `SUB ${subject} 1\r\n` : `SUB ${subject} ${queue} 1\r\n`;
}

/**
 * A receiving role's life once its handler is set: subscribes, tells the coordinator it is ready, waits for
 * the start, then receives until stopped (or the connection fails). Returns the time it started.
 */
export async function subscribeAndRun(conn: RawConn, ctl: Control, subject: string, queue?: string): Promise<number> {
  await conn.send(subscribeLine(subject, queue));
  await conn.ping();
  ctl.ready();
  await ctl.started;
  const start = wallNow();
  await Promise.race([ctl.stopped, conn.failure()]);
  return start;
}

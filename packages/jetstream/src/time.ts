/**
 * JetStream's clocks: nanoseconds since the Unix epoch as bigint (a double cannot hold them exactly), and
 * their RFC 3339 text as Go's time.RFC3339Nano writes it (UTC, trailing zeros of the fraction dropped).
 */

const ORIGIN_US = BigInt(Math.round(performance.timeOrigin * 1000));
/**
 * process.hrtime.bigint() reads the same monotonic clock as performance.now(), in ns: this offset makes
 * it ns since the epoch as nsAt counts them (one bigint addition per reading instead of a conversion,
 * an addition and a multiplication: the clock is read for every stored message).
 */
const HRTIME_TO_EPOCH = (() => {
  const hr = process.hrtime.bigint();
  return ORIGIN_US * 1000n + BigInt(Math.round(performance.now() * 1_000_000)) - hr;
})();
let last = 0n;

/** Now, in ns since the epoch; strictly increasing within this thread. */
export function nowNs(): bigint {
  let t = process.hrtime.bigint() + HRTIME_TO_EPOCH;
  if (t <= last) t = last + 1n;
  last = t;
  return t;
}

/**
 * A `performance.now()` reading as ns since the epoch: per-message stamps take the cheap double and are
 * converted only when shown (a bigint clock per delivery and per ack was 3% of a shard's time consuming).
 */
export function nsAt(perfMs: number): bigint {
  return (ORIGIN_US + BigInt(Math.round(perfMs * 1000))) * 1000n;
}

/**
 * Date.now() and performance.now() read once per turn of the event loop: each reading costs ~80 ns here,
 * and a push consumer took four per message (its delivery's deadline and stamp, its ack's). Deadlines and
 * idle times in ms need no more than that: the readings go stale when the turn's microtasks run.
 */
let turnWall = -1;
let turnPerf = -1;
let turnExpiry = false;

function expireTurn(): void {
  turnWall = -1;
  turnPerf = -1;
  turnExpiry = false;
}

function expireAtTurnEnd(): void {
  if (turnExpiry) return;
  turnExpiry = true;
  queueMicrotask(expireTurn);
}

/** Date.now() as read in this turn. */
export function wallMs(): number {
  if (turnWall < 0) {
    turnWall = Date.now();
    expireAtTurnEnd();
  }
  return turnWall;
}

/** performance.now() as read in this turn. */
export function perfMs(): number {
  if (turnPerf < 0) {
    turnPerf = performance.now();
    expireAtTurnEnd();
  }
  return turnPerf;
}

/** The zero time as nats-server prints it (an empty stream's first_ts). */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

export function rfc3339(ns: bigint): string {
  if (ns <= 0n) return ZERO_TIME;
  const ms = Number(ns / 1_000_000n);
  const frac = ns % 1_000_000_000n;
  const base = new Date(ms).toISOString().slice(0, 19); // YYYY-MM-DDTHH:MM:SS
  if (frac === 0n) return `${base}Z`;
  return `${base}.${frac.toString().padStart(9, "0").replace(/0+$/, "")}Z`;
}

/** Parses RFC 3339 (with up to nanosecond precision) to ns since the epoch; undefined when it is not one. */
export function parseRfc3339(s: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = BigInt((m[2] ?? "").padEnd(9, "0") || "0");
  return BigInt(ms) * 1_000_000n + frac;
}

/** Durations on the wire are ns; timers want ms. */
export function nsToMs(ns: number): number {
  return Math.floor(ns / 1e6);
}

// What a scenario reports: rates (msgs over seconds), latency percentiles, correctness checks, CPU.
import type { RoleResult } from "../roles/types.js";

export interface Rate {
  /** What was counted: "pub", "sub (all subscribers)", "consume", "requests". */
  label: string;
  msgs: number;
  seconds: number;
  /** Payload bytes per message (for MB/s). */
  size: number;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ScenarioOutcome {
  rates: Rate[];
  /** Request latencies in microseconds. */
  latency?: Percentiles;
  checks: Check[];
}

export interface ScenarioResult extends ScenarioOutcome {
  scenario: string;
  /** CPU used while the scenario ran, in cores (1 = one core busy): this process, and the server's if known. */
  clientCpu: number;
  serverCpu?: number;
  wallSeconds: number;
}

export const msgsPerSec = (r: Rate): number => (r.seconds > 0 ? r.msgs / r.seconds : 0);

/** Messages counted over all `results`, from the common start to the last one's end. */
export function rateOf(label: string, start: number, results: RoleResult[], size: number): Rate {
  let msgs = 0;
  let end = start;
  for (const r of results) {
    msgs += r.count;
    end = Math.max(end, r.end);
  }
  return { label, msgs, seconds: (end - start) / 1000, size };
}

/** The median; of an even count, the mean of the two middle values (not the upper one: no side favoured). */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentiles(latencies: Float64Array[]): Percentiles | undefined {
  const total = latencies.reduce((n, l) => n + l.length, 0);
  if (total === 0) return undefined;
  const all = new Float64Array(total);
  let at = 0;
  for (const l of latencies) {
    all.set(l, at);
    at += l.length;
  }
  all.sort();
  // Nearest rank: the smallest value with at least q of all values at or below it.
  const pick = (q: number) => all[Math.max(0, Math.ceil(q * total) - 1)];
  return { p50: pick(0.5), p90: pick(0.9), p99: pick(0.99), max: all[total - 1] };
}

/**
 * Exactly-once over several receivers' marks: every index from `from` must have been seen once in total
 * (over a queue group's members or a consumer's clients; a plain subscriber is checked alone).
 */
export function checkSeen(name: string, marks: Uint8Array[][], from = 0): Check {
  const times = 1;
  const rows = marks[0]?.length ?? 0;
  let missing = 0;
  let extra = 0;
  let first = "";
  for (let row = 0; row < rows; row++) {
    const len = marks[0][row].length;
    for (let i = from; i < len; i++) {
      let n = 0;
      for (const m of marks) n += m[row][i];
      if (n < times) {
        missing++;
        first ||= `first missing: ${row}/${i}`;
      } else if (n > times) extra++;
    }
  }
  const ok = missing === 0 && extra === 0;
  return { name, ok, detail: ok ? undefined : `${missing} missing, ${extra} duplicated (${first || "none missing"})` };
}

export function checkEqual(name: string, got: number, want: number): Check {
  return { name, ok: got === want, detail: got === want ? undefined : `got ${got}, want ${want}` };
}

export function checkErrors(name: string, results: RoleResult[]): Check {
  const errors = results.reduce((n, r) => n + r.errors, 0);
  const note = results.find((r) => r.note !== undefined)?.note;
  return { name, ok: errors === 0, detail: errors === 0 ? undefined : `${errors} errors, first: ${note ?? "?"}` };
}

export function checkOrder(name: string, results: RoleResult[]): Check {
  const n = results.reduce((s, r) => s + r.outOfOrder, 0);
  return { name, ok: n === 0, detail: n === 0 ? undefined : `${n} out of order` };
}

/** `total` split into `parts` near-equal shares. */
export function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

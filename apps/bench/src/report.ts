// Showing results: a progress line on a terminal (stderr), one plain line per result otherwise, and a
// summary table of msgs/s, MB/s, latency percentiles, CPU and checks at the end (or JSON with --json).
import type { Percentiles, ScenarioResult } from "./scenarios/result.js";
import { msgsPerSec } from "./scenarios/result.js";

export const fmtInt = (x: number): string => Math.round(x).toLocaleString("en-US");
export const fmtMB = (msgs: number, size: number): string => ((msgs * size) / 1e6).toFixed(1);
export const fmtCpu = (cores: number | undefined): string => (cores === undefined ? "n/a" : `${Math.round(cores * 100)}%`);
export const fmtUs = (us: number): string => (us >= 10_000 ? `${(us / 1000).toFixed(1)} ms` : `${Math.round(us)} µs`);

export class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private shown = false;

  /** Redraws the progress line (terminals only): `done` of `total` units. */
  update(label: string, done: number, total: number): void {
    if (!this.tty) return;
    const width = 30;
    const f = total > 0 ? Math.min(1, done / total) : 0;
    const bar = "#".repeat(Math.round(f * width)).padEnd(width, ".");
    process.stderr.write(`\r${label.padEnd(10)} [${bar}] ${String(Math.round(f * 100)).padStart(3)}% ${fmtInt(done)}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) process.stderr.write("\r\x1b[K");
    this.shown = false;
  }
}

export function latencyText(l: Percentiles | undefined): string {
  return l === undefined ? "" : `p50 ${fmtUs(l.p50)} p90 ${fmtUs(l.p90)} p99 ${fmtUs(l.p99)} max ${fmtUs(l.max)}`;
}

export function checksText(r: ScenarioResult): string {
  const failed = r.checks.filter((c) => !c.ok);
  return failed.length === 0 ? `checks ok (${r.checks.length})` : `FAILED: ${failed.map((c) => `${c.name}: ${c.detail}`).join("; ")}`;
}

/** One line per result. */
export function resultLine(r: ScenarioResult): string {
  const rates = r.rates.map((x) => `${x.label} ${fmtInt(msgsPerSec(x))} msgs/s ${fmtMB(msgsPerSec(x), x.size)} MB/s`).join(" | ");
  const lat = latencyText(r.latency);
  return `${r.scenario}: ${rates}${lat ? ` | ${lat}` : ""} | client CPU ${fmtCpu(r.clientCpu)} server CPU ${fmtCpu(r.serverCpu)} | ${checksText(r)}`;
}

/** A plain-text table: the first `textColumns` columns left-aligned, the figures right-aligned. */
export function table(headers: string[], rows: string[][], textColumns = 1): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < textColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function summaryTable(results: ScenarioResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    r.rates.forEach((x, i) => {
      const v = msgsPerSec(x);
      rows.push([
        i === 0 ? r.scenario : "",
        x.label,
        fmtInt(x.msgs),
        fmtInt(v),
        fmtMB(v, x.size),
        i === 0 && r.latency ? fmtUs(r.latency.p50) : "",
        i === 0 && r.latency ? fmtUs(r.latency.p90) : "",
        i === 0 && r.latency ? fmtUs(r.latency.p99) : "",
        i === 0 && r.latency ? fmtUs(r.latency.max) : "",
        i === 0 ? fmtCpu(r.clientCpu) : "",
        i === 0 ? fmtCpu(r.serverCpu) : "",
        i === 0 ? (r.checks.every((c) => c.ok) ? "ok" : "FAILED") : "",
      ]);
    });
  }
  return table(["scenario", "measured", "msgs", "msgs/s", "MB/s", "p50", "p90", "p99", "max", "client CPU", "server CPU", "checks"], rows, 2);
}

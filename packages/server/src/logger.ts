import pino, { type Logger } from "pino";
import pretty from "pino-pretty";
import type { LoggingOptions } from "./options.js";

export type { Logger } from "pino";

/**
 * The server's logger: pino, at info by default, debug with -D, protocol trace with -V. On a terminal the
 * lines read like nats-server's (`[INF] Listening for client connections on ...`); elsewhere, or with
 * `format: "json"`, one JSON object per line. Connection lines carry `cid` (and the peer address).
 * Writes are synchronous so that nothing is lost when the process exits right after logging.
 */
export function createLogger(opts: Partial<LoggingOptions> = {}): Logger {
  const level = opts.trace ? "trace" : opts.debug ? "debug" : "info";
  const toFile = opts.logFile !== undefined;
  const format = opts.format ?? (toFile || process.stderr.isTTY ? "pretty" : "json");
  const destination = toFile ? pino.destination({ dest: opts.logFile, sync: true, mkdir: true }) : pino.destination({ fd: 2, sync: true });
  if (format === "json") return pino({ level, base: { pid: process.pid } }, destination);
  const stream = pretty({
    destination,
    sync: true,
    colorize: !toFile && process.stderr.isTTY === true,
    // The line is built here, nats-server style: [pid] 2006/01/02 15:04:05.000 [INF] addr - cid:N - msg
    ignore: "pid,hostname,time,level,cid,addr",
    hideObject: false,
    messageFormat: (log, messageKey) => {
      const msg = String(log[messageKey] ?? "");
      const where = log.cid !== undefined ? `${String(log.addr ?? "")} - cid:${String(log.cid)} - ` : "";
      return `[${String(log.pid)}] ${formatTime(Number(log.time))} [${LEVEL_TAGS[Number(log.level)] ?? "???"}] ${where}${msg}`;
    },
  });
  return pino({ level, base: { pid: process.pid } }, stream);
}

/** A logger that drops everything (embedding and tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

const LEVEL_TAGS: Record<number, string> = { 10: "TRC", 20: "DBG", 30: "INF", 40: "WRN", 50: "ERR", 60: "FTL" };

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

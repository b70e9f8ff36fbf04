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
    translateTime: "SYS:yyyy/mm/dd HH:MM:ss.l",
    ignore: "hostname,cid,addr",
    customLevels: "trc:10,dbg:20,inf:30,wrn:40,err:50,ftl:60",
    useOnlyCustomProps: false,
    messageFormat: (log, messageKey) => {
      const msg = String(log[messageKey] ?? "");
      return log.cid !== undefined ? `${String(log.addr ?? "")} - cid:${String(log.cid)} - ${msg}` : msg;
    },
  });
  return pino({ level, base: { pid: process.pid } }, stream);
}

/** A logger that drops everything (embedding and tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/**
 * Every problem found while reading a config is reported as a ConfigError, so
 * callers can print one consistent `file:line:col: reason` line.
 */
export class ConfigError extends Error {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The message without the position prefix. */
  readonly reason: string;

  constructor(file: string, line: number, col: number, reason: string) {
    super(`${file}:${line}:${col}: ${reason}`);
    this.name = "ConfigError";
    this.file = file;
    this.line = line;
    this.col = col;
    this.reason = reason;
  }
}

/**
 * Thrown by the value converters, which know what is wrong but not where;
 * the parser turns it into a ConfigError at the token's position.
 */
export class ValueError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "ValueError";
  }
}

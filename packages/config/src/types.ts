/** A value produced by the configuration parser. */
export type ConfigValue = string | number | boolean | Date | ConfigValue[] | ConfigMap;

/** A map of keys to values; the top level of a config file is one of these. */
export interface ConfigMap {
  [key: string]: ConfigValue;
}

/** Where something was written: a file name and a 1-based line and column (columns count characters). */
export interface ConfigPosition {
  file: string;
  line: number;
  col: number;
}

export interface ParseOptions {
  /** Name used in positions and error messages, and the base for relative includes. Default "<string>" (includes then resolve against the working directory, like nats-server). */
  filename?: string;
  /** Environment consulted for `$VAR` references that no enclosing map defines. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Reads an included file (and, for parseConfigFile, the file itself). Default: fs.readFileSync as UTF-8. */
  readFile?: (path: string) => string;
}

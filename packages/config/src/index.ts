import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "./errors.js";
import { NestingBudget } from "./nesting.js";
import { parseDocument } from "./parser.js";
import { SourceText } from "./source.js";
import type { ConfigMap, ParseOptions } from "./types.js";

export type { ConfigMap, ConfigPosition, ConfigValue, ParseOptions } from "./types.js";
export { ConfigError } from "./errors.js";
export { positionOf } from "./positions.js";
export { parseDuration } from "./duration.js";
export { parseSize } from "./sizes.js";

const STRING_FILENAME = "<string>";

function readUtf8(file: string): string {
  return fs.readFileSync(file, "utf8");
}

/**
 * Parses config text in the nats-server configuration language. Throws a
 * ConfigError (`file:line:col: reason`) for any problem in the text, in an
 * included file, or in an environment variable it references.
 */
export function parseConfig(text: string, opts: ParseOptions = {}): ConfigMap {
  const file = opts.filename ?? STRING_FILENAME;
  const fromFile = opts.filename !== undefined;
  return parseDocument(new SourceText(file, text), fromFile ? path.dirname(file) : ".", {
    env: opts.env ?? process.env,
    readFile: opts.readFile ?? readUtf8,
    nesting: new NestingBudget(),
    includeChain: fromFile ? [path.resolve(file)] : [],
    expandingEnv: new Set(),
  });
}

/** Reads and parses a config file; includes resolve against its directory. */
export function parseConfigFile(file: string, opts: Omit<ParseOptions, "filename"> = {}): ConfigMap {
  const readFile = opts.readFile ?? readUtf8;
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ConfigError(file, 1, 1, `cannot read config file: ${why}`);
  }
  return parseConfig(text, { ...opts, filename: file });
}
export { ConfigReader, isConfigMap } from "./reader.js";

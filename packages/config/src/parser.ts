import * as path from "node:path";
import { ConfigError, ValueError } from "./errors.js";
import { lex } from "./lexer.js";
import { getEntry, newMap, setEntry } from "./maps.js";
import type { NestingBudget } from "./nesting.js";
import { originOf, recordOrigin } from "./positions.js";
import { integerWithSuffix } from "./sizes.js";
import { SourceText } from "./source.js";
import type { Token, TokenKind } from "./tokens.js";
import type { ConfigMap, ConfigValue } from "./types.js";
import { booleanValue, datetimeValue, floatValue } from "./values.js";

/** State shared by a parse and every include or environment value it parses along the way. */
export interface ParseRun {
  env: Record<string, string | undefined>;
  readFile: (path: string) => string;
  nesting: NestingBudget;
  /** Absolute paths of the files being parsed, outermost first, to refuse include cycles. */
  includeChain: readonly string[];
  /** Environment variables whose values are being parsed, to refuse `A=$B`, `B=$A` loops. */
  expandingEnv: Set<string>;
}

/** Parses one file's (or string's) text; relative includes resolve against baseDir. */
export function parseDocument(source: SourceText, baseDir: string, run: ParseRun): ConfigMap {
  const tokens = lex(source, run.nesting);
  return new Parser(source, tokens, baseDir, run).document();
}

/** The key an environment value is parsed under, as if the config said `pk=<value>`. */
const ENV_KEY = "pk";

/** nats-server keeps `$2a$...` (a bcrypt hash written without quotes) as a string, not a variable. */
const BCRYPT_PREFIX = "2a$";

/**
 * Builds values from the lexer's tokens. The lexer has already checked the
 * structure, so this only converts scalars, resolves variables and includes,
 * and records where each key and element was written.
 */
class Parser {
  private readonly source: SourceText;
  private readonly tokens: Token[];
  private readonly baseDir: string;
  private readonly run: ParseRun;
  private next = 0;
  /**
   * The maps being filled, outermost first. A `$name` looks here from the
   * innermost outwards (arrays are skipped, as in nats-server), seeing only
   * keys set before the reference.
   */
  private readonly scopes: ConfigMap[] = [];

  constructor(source: SourceText, tokens: Token[], baseDir: string, run: ParseRun) {
    this.source = source;
    this.tokens = tokens;
    this.baseDir = baseDir;
    this.run = run;
  }

  document(): ConfigMap {
    const root = newMap();
    this.scopes.push(root);
    this.members(root, "eof");
    return root;
  }

  private take(): Token {
    const t = this.tokens[this.next++];
    if (t === undefined) throw this.source.error(this.source.text.length, "unexpected end of input");
    return t;
  }

  private members(target: ConfigMap, end: TokenKind): void {
    for (;;) {
      const t = this.take();
      if (t.kind === end) return;
      if (t.kind === "key") {
        const value = this.value(this.take());
        setEntry(target, t.text, value, { source: this.source, offset: t.offset });
      } else if (t.kind === "include") {
        this.include(target, t);
      } else {
        throw this.source.error(t.offset, `unexpected ${t.kind} token`);
      }
    }
  }

  private value(t: Token): ConfigValue {
    switch (t.kind) {
      case "string":
        return t.text;
      case "bool":
        return this.convert(t, booleanValue);
      case "integer":
        return this.convert(t, integerWithSuffix);
      case "float":
        return this.convert(t, floatValue);
      case "datetime":
        return this.convert(t, datetimeValue);
      case "variable":
        return this.variable(t);
      case "arrayStart":
        return this.array(t);
      case "mapStart":
        return this.map(t);
      default:
        throw this.source.error(t.offset, `unexpected ${t.kind} token where a value was expected`);
    }
  }

  private convert<T extends ConfigValue>(t: Token, fn: (text: string) => T): T {
    try {
      return fn(t.text);
    } catch (err) {
      if (err instanceof ValueError) throw this.source.error(t.offset, err.message);
      throw err;
    }
  }

  private array(open: Token): ConfigValue[] {
    this.run.nesting.enter(this.source, open.offset, "arrays");
    const out: ConfigValue[] = [];
    for (;;) {
      const t = this.take();
      if (t.kind === "arrayEnd") break;
      const v = this.value(t);
      recordOrigin(out, out.length, { source: this.source, offset: t.offset });
      out.push(v);
    }
    this.run.nesting.leave();
    return out;
  }

  private map(open: Token): ConfigMap {
    this.run.nesting.enter(this.source, open.offset, "maps");
    const m = newMap();
    this.scopes.push(m);
    this.members(m, "mapEnd");
    this.scopes.pop();
    this.run.nesting.leave();
    return m;
  }

  // ---- variables ------------------------------------------------------------

  private variable(t: Token): ConfigValue {
    const name = t.text;
    if (name.startsWith(BCRYPT_PREFIX)) return `$${name}`;
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = getEntry(this.scopes[i], name);
      if (v !== undefined) return v;
    }
    return this.environmentValue(t, name);
  }

  /**
   * An environment variable's value, read as if it were written in the config
   * (`NUM=42` gives the number 42, `SIZE=1MB` gives 1048576). It sees only the
   * environment, not the keys of the file that references it.
   */
  private environmentValue(t: Token, name: string): ConfigValue {
    if (this.run.expandingEnv.has(name)) {
      throw this.source.error(t.offset, `variable reference cycle for '${name}'`);
    }
    const raw = Object.prototype.hasOwnProperty.call(this.run.env, name) ? this.run.env[name] : undefined;
    if (typeof raw !== "string") {
      throw this.source.error(t.offset, `variable reference for '${name}' can not be found`);
    }
    let parsed: ConfigMap;
    this.run.expandingEnv.add(name);
    try {
      // Includes inside an environment value resolve against the working
      // directory, as nats-server's do.
      parsed = parseDocument(new SourceText(`$${name}`, `${ENV_KEY}=${raw}`), ".", this.run);
    } catch (err) {
      if (err instanceof ConfigError) {
        throw this.source.error(t.offset, `variable reference for '${name}' could not be parsed: ${err.reason}`);
      }
      throw err;
    } finally {
      this.run.expandingEnv.delete(name);
    }
    const v = getEntry(parsed, ENV_KEY);
    if (v === undefined) throw this.source.error(t.offset, `variable reference for '${name}' can not be found`);
    return v;
  }

  // ---- includes -------------------------------------------------------------

  /** Parses the named file on its own and merges its top-level keys into `target`. */
  private include(target: ConfigMap, t: Token): void {
    if (t.text === "") throw this.source.error(t.offset, "include needs a file name");
    // Like Go's filepath.Join, this keeps even an absolute name under the
    // including file's directory.
    const file = path.join(this.baseDir, t.text);
    const absolute = path.resolve(file);
    if (this.run.includeChain.includes(absolute)) {
      throw this.source.error(t.offset, `include cycle: '${t.text}' is already being parsed`);
    }
    let text: string;
    try {
      text = this.run.readFile(file);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw this.source.error(t.offset, `cannot read include file '${t.text}': ${why}`);
    }
    if (typeof text !== "string") {
      throw this.source.error(t.offset, `cannot read include file '${t.text}': readFile did not return a string`);
    }
    const included = parseDocument(new SourceText(file, text), path.dirname(file), {
      ...this.run,
      includeChain: [...this.run.includeChain, absolute],
    });
    for (const key of Object.keys(included)) {
      setEntry(target, key, included[key], originOf(included, key));
    }
  }
}

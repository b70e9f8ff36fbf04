import { parseDuration } from "./duration.js";
import { ConfigError } from "./errors.js";
import { positionOf } from "./positions.js";
import { parseSize } from "./sizes.js";
import type { ConfigMap, ConfigValue } from "./types.js";

export function isConfigMap(v: ConfigValue | undefined): v is ConfigMap {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * Typed reads of parsed config values, for turning a config tree into typed options. A reader knows the
 * map or list it reads from, so every error points at the offending key: `file:line:col: reason`.
 */
export class ConfigReader {
  constructor(
    readonly container: ConfigMap | ConfigValue[],
    private readonly file: string,
  ) {}

  /** A reader for a nested map or list. */
  within(container: ConfigMap | ConfigValue[]): ConfigReader {
    return new ConfigReader(container, this.file);
  }

  error(key: string | number, reason: string): ConfigError {
    const pos = positionOf(this.container, key);
    return new ConfigError(pos?.file ?? this.file, pos?.line ?? 0, pos?.col ?? 0, reason);
  }

  unknown(key: string): ConfigError {
    return this.error(key, `unknown field "${key}"`);
  }

  string(key: string | number, v: ConfigValue): string {
    if (typeof v !== "string") throw this.error(key, `${String(key)}: expected a string`);
    return v;
  }

  boolean(key: string | number, v: ConfigValue): boolean {
    if (typeof v !== "boolean") throw this.error(key, `${String(key)}: expected a boolean`);
    return v;
  }

  integer(key: string | number, v: ConfigValue): number {
    if (typeof v !== "number" || !Number.isInteger(v)) throw this.error(key, `${String(key)}: expected an integer`);
    return v;
  }

  number(key: string | number, v: ConfigValue): number {
    if (typeof v !== "number") throw this.error(key, `${String(key)}: expected a number`);
    return v;
  }

  size(key: string | number, v: ConfigValue): number {
    try {
      if (typeof v !== "number" && typeof v !== "string") throw new Error("not a size");
      return parseSize(v);
    } catch {
      throw this.error(key, `${String(key)}: expected a size (e.g. 1MB)`);
    }
  }

  /**
   * A duration in milliseconds. Strings are Go durations ("2m", "10s"). A bare number is seconds only where
   * nats-server allows it; elsewhere it asks for a duration string, as nats-server does.
   */
  duration(key: string, v: ConfigValue, secondsAllowed: boolean): number {
    if (typeof v === "number" && !secondsAllowed) {
      throw this.error(key, `invalid use of field "${key}": ${key} should be converted to a duration`);
    }
    try {
      if (typeof v !== "number" && typeof v !== "string") throw new Error("not a duration");
      return parseDuration(v, key);
    } catch {
      throw this.error(key, `${key}: expected a duration (e.g. "10s")`);
    }
  }

  map(key: string | number, v: ConfigValue): ConfigMap {
    if (!isConfigMap(v)) throw this.error(key, `${String(key)}: expected a map`);
    return v;
  }

  list(key: string | number, v: ConfigValue): ConfigValue[] {
    if (!Array.isArray(v)) throw this.error(key, `${String(key)}: expected a list`);
    return v;
  }

  /** A list of strings; a single string is taken as a list of one (as nats-server does for subjects). */
  strings(key: string | number, v: ConfigValue): string[] {
    if (typeof v === "string") return [v];
    const list = this.list(key, v);
    const r = this.within(list);
    return list.map((x, i) => r.string(i, x));
  }

  /** `host:port`, `[v6]:port`, a port number, or a host alone. */
  hostPort(key: string, v: ConfigValue): { host?: string; port?: number } {
    if (typeof v === "number" && Number.isInteger(v)) return { port: v };
    if (typeof v !== "string") throw this.error(key, `${key}: expected host:port or a port`);
    const colon = v.lastIndexOf(":");
    if (colon < 0) {
      const port = Number(v);
      return Number.isInteger(port) ? { port } : { host: v };
    }
    const port = Number(v.slice(colon + 1));
    if (!Number.isInteger(port)) throw this.error(key, `${key}: bad port in "${v}"`);
    let host = v.slice(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
    return { host: host || undefined, port };
  }
}

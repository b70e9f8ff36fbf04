import { type Origin, recordOrigin } from "./positions.js";
import type { ConfigMap, ConfigValue } from "./types.js";

/** A fresh, empty config map. */
export function newMap(): ConfigMap {
  return {};
}

/**
 * Sets a key, last one winning as in nats-server. defineProperty keeps keys
 * such as "__proto__" as ordinary data instead of changing the prototype.
 */
export function setEntry(map: ConfigMap, key: string, value: ConfigValue, origin: Origin | undefined): void {
  Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  if (origin !== undefined) recordOrigin(map, key, origin);
}

/** An own key only: "toString" in a config must not find Object.prototype's. */
export function getEntry(map: ConfigMap, key: string): ConfigValue | undefined {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

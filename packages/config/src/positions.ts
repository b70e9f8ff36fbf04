import type { SourceText } from "./source.js";
import type { ConfigMap, ConfigPosition, ConfigValue } from "./types.js";

/** Where something was written, kept as an offset and turned into line/column only when asked. */
export interface Origin {
  source: SourceText;
  offset: number;
}

/**
 * Where each key or element was written, kept beside the values rather than
 * on them so the parsed config stays plain data. Offsets are stored instead
 * of line/column because computing a column costs a scan of the line, and
 * most positions are never asked for.
 */
const table = new WeakMap<object, Map<string | number, Origin>>();

export function recordOrigin(container: ConfigMap | ConfigValue[], keyOrIndex: string | number, origin: Origin): void {
  let entries = table.get(container);
  if (entries === undefined) {
    entries = new Map();
    table.set(container, entries);
  }
  entries.set(keyOrIndex, origin);
}

export function originOf(container: ConfigMap | ConfigValue[], keyOrIndex: string | number): Origin | undefined {
  return table.get(container)?.get(keyOrIndex);
}

/** Where a key of a parsed map, or an element of a parsed array, was written. */
export function positionOf(map: ConfigMap | ConfigValue[], keyOrIndex: string | number): ConfigPosition | undefined {
  const origin = originOf(map, keyOrIndex);
  return origin === undefined ? undefined : origin.source.position(origin.offset);
}

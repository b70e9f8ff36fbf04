import { JsApiError, JsErrors } from "./errors.js";

/**
 * The type a JSON field must have for Go's unmarshalling into nats-server's structs to succeed: a
 * primitive kind, one of an enum's strings, an array of a shape, or a nested object shape. Unknown
 * fields are ignored, as Go ignores them.
 */
export type Shape = "string" | "number" | "boolean" | "array" | "object" | readonly string[] | readonly [Shape] | { readonly [field: string]: Shape };

function fits(v: unknown, shape: Shape): boolean {
  if (v === null) return true; // Go leaves the zero value
  if (typeof shape === "string") {
    if (shape === "array") return Array.isArray(v);
    if (shape === "object") return typeof v === "object" && !Array.isArray(v);
    return typeof v === shape;
  }
  if (Array.isArray(shape)) {
    if (shape.length === 1 && typeof shape[0] !== "string") {
      return Array.isArray(v) && v.every((x) => fits(x, shape[0] as Shape));
    }
    if (shape.length === 1 && (shape[0] === "string" || shape[0] === "number" || shape[0] === "boolean")) {
      return Array.isArray(v) && v.every((x) => fits(x, shape[0] as Shape));
    }
    return typeof v === "string" && (shape as readonly string[]).includes(v);
  }
  if (typeof v !== "object" || Array.isArray(v)) return false;
  const obj = v as Record<string, unknown>;
  const fields = shape as { readonly [field: string]: Shape };
  for (const k of Object.keys(fields)) if (k in obj && !fits(obj[k], fields[k])) return false;
  return true;
}

/** Throws "invalid JSON" (10025) unless `v` is an object whose known fields have the right types. */
export function checkShape(v: unknown, shape: Shape): void {
  if (typeof v !== "object" || v === null || Array.isArray(v) || !fits(v, shape)) throw new JsApiError(JsErrors.InvalidJSON);
}

/** Parses a request body; an empty body is `undefined`, anything unparsable is "invalid JSON". */
export function parseBody(data: Uint8Array): unknown {
  if (data.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8"));
  } catch {
    throw new JsApiError(JsErrors.InvalidJSON);
  }
}

import type { ApiError } from "./api-types.js";
import { type JsErrorEntry, JsErrors } from "./error-table.js";

export { JsErrors, type JsErrorEntry, type JsErrorName } from "./error-table.js";

/**
 * The wire error for a table entry, its `{placeholders}` filled from `values`. A placeholder without a
 * value is dropped with its ": " lead (nats-server 2.9 writes "invalid JSON", not "invalid JSON: {err}").
 */
export function apiError(entry: JsErrorEntry, values: Record<string, string | number> = {}): ApiError {
  const description = entry.description
    .replace(/(: )?\{(\w+)\}/g, (m, lead: string | undefined, k: string) => (k in values ? `${lead ?? ""}${String(values[k])}` : ""));
  return { code: entry.code, err_code: entry.err_code, description };
}

/**
 * Thrown by API handlers and stream operations; the dispatcher turns it into the response's `error`.
 * Errors are data: every throw names a table entry.
 */
export class JsApiError extends Error {
  readonly error: ApiError;
  constructor(entry: JsErrorEntry, values?: Record<string, string | number>) {
    const error = apiError(entry, values);
    super(error.description);
    this.error = error;
  }
}

/** Shorthand for the common "bad request" with a reason nats-server puts in the description. */
export function badRequest(): JsApiError {
  return new JsApiError(JsErrors.BadRequest);
}

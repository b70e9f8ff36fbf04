import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";

/**
 * The official JetStream API JSON schemas (jsm-schemas, from nats-io/jsm.go), kept beside the repository
 * in the workspace's shared reference data. Looked for next to the repository, then at the workspace's
 * fixed location, or where JSM_SCHEMAS points.
 */
function schemaDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    process.env.JSM_SCHEMAS,
    resolve(here, "../../../shared/reference/jsm-schemas"),
    "/work/shared/reference/jsm-schemas",
  ].filter((x): x is string => x !== undefined);
  for (const c of candidates) if (existsSync(join(c, "jetstream/api/v1"))) return c;
  throw new Error(`jsm-schemas not found (tried ${candidates.join(", ")}); set JSM_SCHEMAS`);
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const cache = new Map<string, ValidateFunction>();

/**
 * Validates an API response against its schema, e.g. `validate("stream_info_response", body)`; throws with
 * the errors. In an error response nats-server also writes its response struct's empty list field
 * (`streams: null` or `[]`), which would make it match the success branch too: that field is left out.
 */
export function validateResponse(schema: string, body: unknown): void {
  const b = body as Record<string, unknown>;
  if (b !== null && typeof b === "object" && "error" in b) {
    body = Object.fromEntries(Object.entries(b).filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0)));
  }
  let v = cache.get(schema);
  if (v === undefined) {
    const file = join(schemaDir(), "jetstream/api/v1", `${schema}.json`);
    const json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    delete json.$id;
    v = ajv.compile(json);
    cache.set(schema, v);
  }
  if (!v(body)) throw new Error(`${schema} does not validate: ${JSON.stringify(v.errors, null, 1)}\n${JSON.stringify(body)}`);
}

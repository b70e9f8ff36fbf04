import type { ImportConfig } from "./types.js";

/**
 * Subject mapping between the exporter's subject space and the importer's. A pattern's wildcards are
 * filled in order: the n-th `*` (or the `>`) of the target takes the token(s) the n-th wildcard of the
 * source matched. A target without wildcards is taken as it is.
 */

/** The subject (pattern) under which an import appears in the importing account. */
export function importLocalSubject(imp: ImportConfig): string {
  if (imp.kind === "stream" && imp.prefix !== undefined) return `${imp.prefix}.${imp.subject}`;
  return imp.to ?? imp.subject;
}

/**
 * Maps the literal `subject`, which matches the pattern `from`, onto the pattern `to`. Returns `to` itself
 * when it has no wildcards, and undefined when `subject` does not match `from`.
 */
export function mapSubject(subject: string, from: string, to: string): string | undefined {
  if (from === to) return subject;
  const captures = capture(subject, from);
  if (captures === undefined) return undefined;
  if (!to.includes("*") && !to.includes(">")) return to;
  const out: string[] = [];
  let k = 0;
  for (const t of to.split(".")) {
    if (t === "*" || t === ">") out.push(captures[k++] ?? t);
    else out.push(t);
  }
  return out.join(".");
}

/** The tokens each wildcard of `pattern` matched in `subject` (`>` captures the rest, dots included). */
export function capture(subject: string, pattern: string): string[] | undefined {
  const s = subject.split(".");
  const p = pattern.split(".");
  const caps: string[] = [];
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") {
      if (i >= s.length) return undefined;
      caps.push(s.slice(i).join("."));
      return caps;
    }
    if (i >= s.length) return undefined;
    if (p[i] === "*") caps.push(s[i]);
    else if (p[i] !== s[i]) return undefined;
  }
  return s.length === p.length ? caps : undefined;
}

/** For a stream import: the subject a message published on `subject` by the exporter has in the importer. */
export function streamImportSubject(imp: ImportConfig & { kind: "stream" }, subject: string): string {
  if (imp.prefix !== undefined) return `${imp.prefix}.${subject}`;
  if (imp.to !== undefined) return mapSubject(subject, imp.subject, imp.to) ?? subject;
  return subject;
}

/** For a service import: the subject a request sent by the importer on `local` has in the exporter. */
export function serviceImportSubject(imp: ImportConfig & { kind: "service" }, local: string): string {
  if (imp.to === undefined) return local;
  return mapSubject(local, imp.to, imp.subject) ?? imp.subject;
}

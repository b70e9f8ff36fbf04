/** Subject filters as the stores see them: "all", one literal subject, or a wildcard pattern. */
import { subjectIsLiteral, subjectMatches } from "@tsnats/subject";

/** No filter, an empty one or `>`: every subject. */
export function selectsAll(filter: string | undefined): filter is undefined | "" | ">" {
  return filter === undefined || filter === "" || filter === ">";
}

/** A filter that names exactly one subject (no `*` or `>` token). */
export function isLiteralFilter(filter: string): boolean {
  return subjectIsLiteral(filter);
}

/** Whether a stored subject is selected by a (non-"all") filter. */
export function filterMatches(subject: string, filter: string): boolean {
  return subjectMatches(subject, filter);
}

/**
 * Subject validation with nats-server's rules (server/sublist.go). Each function is a single pass of
 * `charCodeAt`: these run on every SUB and PUB, so no `split`, no regexes, no allocation.
 */
import { DOT, GT, isSubjectWhitespace, STAR } from "./chars.js";

/**
 * A subject a client may subscribe to (nats-server `IsValidSubject`): non-empty tokens separated by `.`, no
 * whitespace anywhere, and `>` only as the last token. `*` tokens are allowed anywhere.
 */
export function isValidSubject(subject: string): boolean {
  return scan(subject, true);
}

/**
 * A subject a client may publish to (nats-server `IsValidPublishSubject`): a valid subject with no wildcard
 * tokens. Unlike Go's `IsValidLiteralSubject`, whitespace is refused too, since a publish subject must
 * also be a valid subject.
 */
export function isValidLiteralSubject(subject: string): boolean {
  return scan(subject, false);
}

/**
 * True when no token is a lone `*` or `>` (nats-server `subjectIsLiteral`). This is the fast check the cache
 * layer uses; it does not validate the subject.
 */
export function subjectIsLiteral(subject: string): boolean {
  const len = subject.length;
  for (let i = 0; i < len; i++) {
    const c = subject.charCodeAt(i);
    if (
      (c === STAR || c === GT) &&
      (i === 0 || subject.charCodeAt(i - 1) === DOT) &&
      (i + 1 === len || subject.charCodeAt(i + 1) === DOT)
    ) {
      return false;
    }
  }
  return true;
}

/** Number of `.`-separated tokens; 0 for the empty string (nats-server `numTokens`). */
export function tokenCount(subject: string): number {
  const len = subject.length;
  if (len === 0) return 0;
  let n = 1;
  for (let i = 0; i < len; i++) {
    if (subject.charCodeAt(i) === DOT) n++;
  }
  return n;
}

function scan(subject: string, wildcardsAllowed: boolean): boolean {
  const len = subject.length;
  if (len === 0) return false;
  let tokenStart = 0;
  let sawFullWildcard = false;
  for (let i = 0; i < len; i++) {
    const c = subject.charCodeAt(i);
    // Every character that needs a second look (separator, whitespace, `*`) sorts at or below '.': the
    // common case costs one comparison. `>` (above it) only matters as a whole token, checked at its end.
    if (c > DOT) continue;
    if (c === DOT) {
      // Empty token (leading or double dot), or any token after `>`.
      if (i === tokenStart || sawFullWildcard) return false;
      if (i - tokenStart === 1) {
        const t = subject.charCodeAt(tokenStart);
        if (t === GT || t === STAR) {
          if (!wildcardsAllowed) return false;
          if (t === GT) sawFullWildcard = true;
        }
      }
      tokenStart = i + 1;
    } else if (isSubjectWhitespace(c)) {
      return false;
    }
  }
  // The last token: not empty (trailing dot), not after `>`, and a wildcard only where allowed.
  if (len === tokenStart || sawFullWildcard) return false;
  if (len - tokenStart === 1 && !wildcardsAllowed) {
    const t = subject.charCodeAt(tokenStart);
    if (t === GT || t === STAR) return false;
  }
  return true;
}

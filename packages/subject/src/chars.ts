/** Character codes the subject code compares against; subjects are walked with `charCodeAt`, never regexes. */

export const DOT = 0x2e; // '.' token separator
export const STAR = 0x2a; // '*' partial wildcard: exactly one token
export const GT = 0x3e; // '>' full wildcard: one or more tokens, last token only

// The whitespace nats-server's IsValidSubject refuses: space, \t, \n, \r and also \f.
export const SPACE = 0x20;
export const TAB = 0x09;
export const LF = 0x0a;
export const FF = 0x0c;
export const CR = 0x0d;

export function isSubjectWhitespace(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR || c === FF;
}

/**
 * True when `s[start, end)` is a lone wildcard token: `*` or `>` only count as wildcards when they are a
 * whole token (`a*`, `*b`, `>x` are literal tokens, as in nats-server).
 */
export function isWildcardToken(s: string, start: number, end: number): boolean {
  if (end - start !== 1) return false;
  const c = s.charCodeAt(start);
  return c === STAR || c === GT;
}

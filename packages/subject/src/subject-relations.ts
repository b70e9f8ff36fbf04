/**
 * Relations between two subjects that may both hold wildcards, used for configuration checks (JetStream
 * stream subjects overlapping, consumer filters inside a stream's subjects). Not on the message path, so
 * they tokenize with `split`; inputs are expected to be valid subjects (see `isValidSubject`).
 *
 * These follow nats-server's `subjectIsSubsetMatch` and `SubjectsCollide` with one deliberate difference:
 * Go classifies a token as a wildcard by its first byte in places (`tokensCanMatch`, the `t2[0] != pwc`
 * test of `isSubsetMatchTokenized`), so it treats literal tokens like `*x` as wildcards there. Here a token
 * is a wildcard only when it is exactly `*` or `>`, as everywhere else in NATS.
 */

const PWC = "*";
const FWC = ">";

/**
 * True when every literal subject matched by `subject` is also matched by `filter`. `foo.*` is a subset of
 * `>`, `*.*` and `foo.*`, but not of `foo.bar`. For a literal `subject` this is `subjectMatches`.
 */
export function subjectIsSubsetMatch(subject: string, filter: string): boolean {
  if (subject.length === 0 || filter.length === 0) return false;
  return isSubsetTokens(subject.split("."), filter.split("."));
}

/** True when some literal subject is matched by both `a` and `b` (for a literal, "matched" is equality). */
export function subjectsCollide(a: string, b: string): boolean {
  if (a === b) return true;
  const ta = a.split(".");
  const tb = b.split(".");
  const wa = wildcards(ta);
  const wb = wildcards(tb);
  if (wa === NONE && wb === NONE) return false; // two different literals
  // One literal: it collides exactly when the other matches it.
  if (wa === NONE) return isSubsetTokens(ta, tb);
  if (wb === NONE) return isSubsetTokens(tb, ta);

  // Both have wildcards. Token counts must agree unless the shorter one ends in `>`, which absorbs the
  // longer one's extra tokens (`>` needs at least one, and the longer side has at least one more).
  if (ta.length < tb.length && (wa & FULL) === 0) return false;
  if (tb.length < ta.length && (wb & FULL) === 0) return false;
  // Then every aligned pair must be able to meet: a wildcard on either side, or equal literals.
  const stop = Math.min(ta.length, tb.length);
  for (let i = 0; i < stop; i++) {
    const x = ta[i];
    const y = tb[i];
    if (x.length === 0 || y.length === 0) return false;
    if (x !== y && !isWildcard(x) && !isWildcard(y)) return false;
  }
  return true;
}

const NONE = 0;
const PARTIAL = 1;
const FULL = 2;

function wildcards(tokens: readonly string[]): number {
  let w = NONE;
  for (const t of tokens) {
    if (t === PWC) w |= PARTIAL;
    else if (t === FWC) w |= FULL;
  }
  return w;
}

function isWildcard(t: string): boolean {
  return t === PWC || t === FWC;
}

/** Every subject matched by `tokens` is matched by `test` (both may hold wildcards). */
function isSubsetTokens(tokens: readonly string[], test: readonly string[]): boolean {
  for (let i = 0; i < test.length; i++) {
    if (i >= tokens.length) return false;
    const t2 = test[i];
    const t1 = tokens[i];
    if (t2.length === 0 || t1.length === 0) return false;
    if (t2 === FWC) return true; // covers whatever `tokens` has from here on, even its own `>`
    if (t1 === FWC) return false; // `tokens` reaches deeper than a non-`>` test token allows
    if (t1 === PWC) {
      // Any token here; only a `*` in `test` covers all of them.
      if (t2 !== PWC) return false;
    } else if (t2 !== PWC && t1 !== t2) {
      return false;
    }
  }
  return tokens.length === test.length;
}

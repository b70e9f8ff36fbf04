/**
 * Matching one literal subject against one filter, without an index. The broker's fan-out goes through
 * `Sublist`; this is for one-off checks (permissions, JetStream filters) and is the reference the
 * `Sublist` tests compare against, so it is written to be obviously right first and cheap second
 * (index walking, no `split`, no allocation).
 */
import { DOT, GT, STAR } from "./chars.js";

/**
 * True when the literal `subject` is matched by `filter`, whose lone `*` tokens match exactly one token and
 * whose lone `>` (last token only) matches one or more. Tokens of `subject` are compared literally, even
 * `*` or `>`. Empty tokens on either side, or a `>` that is not the last filter token, match nothing.
 */
export function subjectMatches(subject: string, filter: string): boolean {
  const sl = subject.length;
  const fl = filter.length;
  if (sl === 0 || fl === 0) return false;
  let si = 0;
  let fi = 0;
  for (;;) {
    let se = subject.indexOf(".", si);
    if (se < 0) se = sl;
    let fe = filter.indexOf(".", fi);
    if (fe < 0) fe = fl;
    if (se === si || fe === fi) return false;

    if (fe - fi === 1) {
      const f = filter.charCodeAt(fi);
      // `>` swallows this token and whatever follows; it is only a wildcard as the last token.
      if (f === GT) return fe === fl && !hasEmptyToken(subject, se);
      if (f !== STAR && !sameToken(subject, si, se, filter, fi, fe)) return false;
    } else if (!sameToken(subject, si, se, filter, fi, fe)) {
      return false;
    }

    const subjectDone = se === sl;
    const filterDone = fe === fl;
    if (subjectDone || filterDone) return subjectDone && filterDone;
    si = se + 1;
    fi = fe + 1;
  }
}

/** `a[as, ae)` equals `b[bs, be)`, compared in place so no token strings are created. */
function sameToken(a: string, as: number, ae: number, b: string, bs: number, be: number): boolean {
  const len = ae - as;
  if (be - bs !== len) return false;
  for (let i = 0; i < len; i++) {
    if (a.charCodeAt(as + i) !== b.charCodeAt(bs + i)) return false;
  }
  return true;
}

/** Whether the rest of `s`, from the separator (or end) at `from`, contains an empty token. */
function hasEmptyToken(s: string, from: number): boolean {
  const len = s.length;
  for (let i = from; i < len; i++) {
    if (s.charCodeAt(i) === DOT && (i + 1 === len || s.charCodeAt(i + 1) === DOT)) return true;
  }
  return false;
}

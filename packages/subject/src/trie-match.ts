/**
 * Walking the trie for one literal subject: the uncached half of `Sublist.match`, and `hasInterest`.
 *
 * The subject is cut into tokens once, into a token array the matcher owns and reuses, since the walk
 * revisits the remaining tokens under every `*` it meets; the only per-match allocations are the token
 * substrings (needed as map keys) and the result arrays.
 */
import { DOT } from "./chars.js";
import { EMPTY_RESULT, ResultBuilder } from "./result.js";
import type { TrieLevel, TrieNode } from "./trie.js";
import type { MatchResult, Subscription } from "./types.js";

/** Up to this many first tokens, `firstTokenMisses` compares them in turn instead of cutting one out. */
const FEW_FIRST_TOKENS = 8;

export class TrieMatcher<S extends Subscription> {
  private readonly tokens: string[] = [];
  private ntokens = 0;
  private readonly builder = new ResultBuilder<S>();

  constructor(private readonly root: TrieLevel<S>) {}

  /** Every subscription matching `subject`; `null` when the subject has an empty token (matches nothing). */
  match(subject: string): MatchResult<S> | null {
    // Without wildcards at the root, a first token nobody subscribed under ends the match before the subject
    // is cut up: JetStream ack subjects where nobody listens on `$JS.` (a consumer's every ack).
    const root = this.root;
    if (root.pwc === null && root.fwc === null) {
      const dot = subject.indexOf(".");
      if (dot !== 0 && (root.nodes === null || !root.nodes.has(dot < 0 ? subject : subject.substring(0, dot)))) {
        return subject.length === 0 ? null : EMPTY_RESULT;
      }
    }
    if (!this.tokenize(subject)) return null;
    this.walk(this.root, 0);
    return this.builder.finish();
  }

  /** Whether no subscription can match a subject whose first token is `token` (no root wildcard either). */
  firstTokenFree(token: string): boolean {
    const root = this.root;
    return root.pwc === null && root.fwc === null && (root.nodes === null || !root.nodes.has(token));
  }

  /**
   * Whether nothing can match `subject` because nothing is subscribed under its first token and nothing
   * at the root is a wildcard. A few first tokens are compared in place (no substring, no hash): the
   * question asked for every reply subject of a busy requester.
   */
  firstTokenMisses(subject: string): boolean {
    const root = this.root;
    if (root.pwc !== null || root.fwc !== null) return false;
    const nodes = root.nodes;
    if (nodes === null) return true;
    if (nodes.size > FEW_FIRST_TOKENS) {
      const dot = subject.indexOf(".");
      return this.firstTokenFree(dot < 0 ? subject : subject.substring(0, dot));
    }
    const len = subject.length;
    for (const token of nodes.keys()) {
      const n = token.length;
      if ((len === n || (len > n && subject.charCodeAt(n) === DOT)) && subject.startsWith(token)) return false;
    }
    return true;
  }

  /** Whether any subscription matches `subject`; stops at the first one found. */
  hasInterest(subject: string): boolean {
    return this.tokenize(subject) && this.any(this.root, 0);
  }

  /**
   * Whether every subject that differs from `subject` in its last token alone matches the same
   * subscriptions: no literal token is subscribed at the last level on any path the other tokens take
   * (a `*` or `>` there matches them all alike). Conservative: a literal child there, with subscriptions
   * of its own or only deeper ones, answers false.
   */
  lastTokenFree(subject: string): boolean {
    return this.tokenize(subject) && this.ntokens > 1 && this.free(this.root, 0);
  }

  private tokenize(subject: string): boolean {
    const len = subject.length;
    const tokens = this.tokens;
    let n = 0;
    let start = 0;
    for (let i = 0; i < len; i++) {
      if (subject.charCodeAt(i) === DOT) {
        if (i === start) return false;
        tokens[n++] = subject.substring(start, i);
        start = i + 1;
      }
    }
    if (start >= len) return false; // empty subject or trailing dot
    tokens[n++] = subject.substring(start);
    this.ntokens = n;
    return true;
  }

  /**
   * Adds the matches for tokens[i..] below `level`. At each level a `>` child matches all remaining tokens
   * and a `*` child consumes this token (recursing for the rest); the literal child continues the loop. At
   * the end, the node reached by the last token and the last level's `*` child hold the exact matches.
   */
  private walk(level: TrieLevel<S> | null, i: number): void {
    const tokens = this.tokens;
    const n = this.ntokens;
    let node: TrieNode<S> | undefined;
    let pwc: TrieNode<S> | null = null;
    for (; i < n; i++) {
      if (level === null) return;
      if (level.fwc !== null) this.add(level.fwc);
      pwc = level.pwc;
      if (pwc !== null && i + 1 < n && pwc.next !== null) this.walk(pwc.next, i + 1);
      node = level.nodes === null ? undefined : level.nodes.get(tokens[i]);
      level = node === undefined ? null : node.next;
    }
    if (node !== undefined) this.add(node);
    if (pwc !== null) this.add(pwc);
  }

  private add(node: TrieNode<S>): void {
    const plain = node.plainList();
    if (plain !== null) this.builder.addPlain(plain);
    const groups = node.queueList();
    if (groups !== null) for (let g = 0; g < groups.length; g++) this.builder.addQueue(groups[g]);
  }

  /** `lastTokenFree` below `level`, from token i. */
  private free(level: TrieLevel<S> | null, i: number): boolean {
    const last = this.ntokens - 1;
    for (; i < last; i++) {
      if (level === null) return true;
      const pwc = level.pwc;
      if (pwc !== null && pwc.next !== null && !this.free(pwc.next, i + 1)) return false;
      const node = level.nodes === null ? undefined : level.nodes.get(this.tokens[i]);
      level = node === undefined ? null : node.next;
    }
    return level === null || level.nodes === null || level.nodes.size === 0;
  }

  /** `walk`, answering only whether anything matches. */
  private any(level: TrieLevel<S> | null, i: number): boolean {
    const tokens = this.tokens;
    const n = this.ntokens;
    let node: TrieNode<S> | undefined;
    let pwc: TrieNode<S> | null = null;
    for (; i < n; i++) {
      if (level === null) return false;
      if (level.fwc !== null && level.fwc.hasSubs()) return true;
      pwc = level.pwc;
      if (pwc !== null && i + 1 < n && pwc.next !== null && this.any(pwc.next, i + 1)) return true;
      node = level.nodes === null ? undefined : level.nodes.get(tokens[i]);
      level = node === undefined ? null : node.next;
    }
    return (node !== undefined && node.hasSubs()) || (pwc !== null && pwc.hasSubs());
  }
}

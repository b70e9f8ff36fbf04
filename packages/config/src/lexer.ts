import { ch, describe, EOF, isBlank, isDigit, isKeySeparator, isNewline, isSpace } from "./chars.js";
import { lexNegativeNumber, lexNumberOrDateOrString } from "./lex-numbers.js";
import { lexBareString, lexBlockString, lexQuotedString, lexRawString } from "./lex-strings.js";
import type { NestingBudget } from "./nesting.js";
import { Scanner } from "./scanner.js";
import type { SourceText } from "./source.js";
import type { Token } from "./tokens.js";

/** Where a key is being read: at the top level (or a top-level `{ }` block), or inside a map value. */
type KeyContext = "top" | "map";

/** Turns config text into tokens, or throws a ConfigError at the first problem. */
export function lex(source: SourceText, nesting: NestingBudget): Token[] {
  return new Lexer(source, nesting).run();
}

/**
 * The structure of the nats-server config language: top level, blocks, keys,
 * includes, maps and arrays (scalars are in lex-strings and lex-numbers). The
 * language is defined by nats-server's state machine (conf/lex.go), including
 * its quirks; where this code accepts something odd, the comment says which
 * nats-server behaviour it keeps. Where nats-server silently drops or
 * misplaces data on broken input, this lexer reports an error instead.
 */
class Lexer {
  private readonly sc: Scanner;
  private readonly nesting: NestingBudget;

  constructor(source: SourceText, nesting: NestingBudget) {
    this.sc = new Scanner(source);
    this.nesting = nesting;
  }

  run(): Token[] {
    const sc = this.sc;
    // A NUL byte is end-of-input to nats-server's lexer, which then fails or
    // stops early depending on where it is; refuse it up front.
    const nul = sc.text.indexOf("\0");
    if (nul >= 0) sc.fail(nul, "unexpected NUL character");
    // Editors on Windows may start a file with a byte-order mark; nats-server
    // would make it part of the first key. Skip it.
    if (sc.text.charCodeAt(0) === 0xfeff) sc.pos = 1;
    this.topLevel();
    return sc.tokens;
  }

  private enter(open: number, what: string): void {
    this.nesting.enter(this.sc.source, open, what);
  }

  private leave(): void {
    this.nesting.leave();
  }

  // ---- top level ----------------------------------------------------------

  private topLevel(): void {
    for (;;) {
      this.sc.skipWhile(isSpace);
      const c = this.sc.peek();
      if (c === EOF) {
        this.sc.emit("eof", "", this.sc.pos);
        return;
      }
      if (c === ch.lbrace) {
        // `{ ... }` around top-level keys, so JSON files parse; the keys still
        // land in the top-level map.
        const open = this.sc.pos;
        this.sc.advance();
        this.block(open);
        continue;
      }
      if (this.sc.atComment()) {
        this.sc.skipComment();
        continue;
      }
      if (c === ch.slash) this.sc.fail(this.sc.pos, "unexpected '/' (comments start with '//' or '#')");
      if (!this.member("top")) continue;
      this.topValueEnd();
    }
  }

  /** After a top-level value: blanks, then a line break, ';', ',', '}', a comment or the end. */
  private topValueEnd(): void {
    for (;;) {
      const c = this.sc.peek();
      if (this.sc.atComment()) {
        this.sc.skipComment();
        return;
      }
      // nats-server treats a lone '/' here like a blank.
      if (isBlank(c) || c === ch.slash) {
        this.sc.advance();
        continue;
      }
      // A stray '}' after a top-level value is accepted by nats-server too.
      if (isNewline(c) || c === ch.semicolon || c === ch.comma || c === ch.rbrace) {
        this.sc.advance();
        return;
      }
      if (c === EOF) return;
      this.sc.fail(this.sc.pos, `expected a new line, ';', ',' or a comment after a top-level value, but found ${describe(c)}`);
    }
  }

  /** A top-level `{ ... }` block; `open` is the offset of its '{', already consumed. */
  private block(open: number): void {
    this.enter(open, "'{' blocks");
    for (;;) {
      this.sc.skipWhile(isSpace);
      const c = this.sc.peek();
      if (c === ch.lbrace) {
        const inner = this.sc.pos;
        this.sc.advance();
        this.block(inner);
        if (this.afterNestedBlock(open)) break;
        continue;
      }
      if (c === ch.rbrace) {
        this.sc.advance();
        break;
      }
      if (this.sc.atComment()) {
        this.sc.skipComment();
        continue;
      }
      if (c === ch.slash) this.sc.fail(this.sc.pos, "unexpected '/' (comments start with '//' or '#')");
      if (c === EOF) this.sc.fail(open, "this '{' is never closed");
      this.member("top");
      if (this.blockValueEnd(open)) break;
    }
    this.leave();
  }

  /** After a value inside a block; returns true when the block's '}' was consumed. */
  private blockValueEnd(open: number): boolean {
    for (;;) {
      const c = this.sc.peek();
      if (this.sc.atComment()) {
        this.sc.skipComment();
        continue;
      }
      if (isBlank(c) || c === ch.slash) {
        this.sc.advance();
        continue;
      }
      if (isNewline(c) || c === ch.semicolon || c === ch.comma) {
        this.sc.advance();
        return false;
      }
      if (c === ch.rbrace) {
        this.sc.advance();
        return true;
      }
      if (c === EOF) this.sc.fail(open, "this '{' is never closed");
      this.sc.fail(this.sc.pos, `expected a new line, ';', ',' or '}' after a value, but found ${describe(c)}`);
    }
  }

  /**
   * After a block nested directly in a block: nats-server then wants the
   * outer '}' or a ';' / ',' / comment before anything else. Returns true when
   * the outer block was closed.
   */
  private afterNestedBlock(open: number): boolean {
    for (;;) {
      const c = this.sc.peek();
      if (this.sc.atComment()) {
        this.sc.skipComment();
        return false;
      }
      if (isSpace(c) || c === ch.slash) {
        this.sc.advance();
        continue;
      }
      if (c === ch.semicolon || c === ch.comma) {
        this.sc.advance();
        return false;
      }
      if (c === ch.rbrace) {
        this.sc.advance();
        return true;
      }
      if (c === EOF) this.sc.fail(open, "this '{' is never closed");
      this.sc.fail(this.sc.pos, `expected '}', ';' or ',' after a nested block, but found ${describe(c)}`);
    }
  }

  // ---- keys -----------------------------------------------------------------

  /**
   * Reads `key [sep] value` or `include path`. Returns false when nothing was
   * emitted (a lone `}` at the very end of a file, which nats-server allows).
   * With `forceFirst`, the first character is taken into a bare key whatever
   * it is (nats-server's behaviour after a lone '/' in a map).
   */
  private member(where: KeyContext, forceFirst = false): boolean {
    const start = this.sc.pos;
    const c = this.sc.peek();
    let key: string;
    if (!forceFirst && isKeySeparator(c)) this.sc.fail(start, `unexpected key separator ${describe(c)}`);
    if (!forceFirst && (c === ch.dquote || c === ch.squote)) {
      // Quoted keys are taken literally: no escapes.
      this.sc.advance();
      const close = this.sc.text.indexOf(String.fromCharCode(c), this.sc.pos);
      if (close < 0) this.sc.fail(start, "unterminated quoted key");
      key = this.sc.text.slice(this.sc.pos, close);
      this.sc.pos = close + 1;
    } else {
      this.sc.advance();
      for (;;) {
        const k = this.sc.peek();
        if (k === EOF) {
          if (where === "map") this.sc.fail(this.sc.pos, "unexpected end of input in a map key");
          break;
        }
        if (isSpace(k) || isKeySeparator(k)) break;
        this.sc.advance();
      }
      key = this.sc.text.slice(start, this.sc.pos);
      // `include` is a keyword only when bare and followed by white space;
      // `include: x` is an ordinary key.
      if (isSpace(this.sc.peek()) && key.toLowerCase() === "include") {
        this.include();
        return true;
      }
    }
    this.sc.emit("key", key, start);
    return this.keyEnd(where, key, start);
  }

  /** Between a key and its value: white space (line breaks too), then an optional ':' or '='. */
  private keyEnd(where: KeyContext, key: string, keyOffset: number): boolean {
    this.sc.skipWhile(isSpace);
    const c = this.sc.peek();
    if (where === "top") {
      if (c === EOF) {
        // nats-server lets a file end in a lone '}' (it reads it as a key
        // with no value) so that JSON-style files close cleanly.
        if (key === "}") {
          this.sc.tokens.pop();
          return false;
        }
        this.sc.fail(keyOffset, `key '${key}' has no value`);
      }
      if (isKeySeparator(c)) this.sc.advance();
      // At the top level, a value must start on the separator's line.
      this.value();
      return true;
    }
    if (isKeySeparator(c)) this.sc.advance();
    // Inside a map, the value may start on a later line.
    this.sc.skipWhile(isSpace);
    const v = this.sc.peek();
    if (v === ch.comma) this.sc.fail(this.sc.pos, "unexpected ',' where a map value was expected");
    // nats-server would assign the enclosing map to this key instead.
    if (v === ch.rbrace) this.sc.fail(keyOffset, `key '${key}' has no value`);
    this.value();
    return true;
  }

  /** `include` has been read and a white space character follows it. */
  private include(): void {
    this.sc.skipWhile(isBlank);
    const start = this.sc.pos;
    const c = this.sc.peek();
    if (c === ch.dquote || c === ch.squote) {
      this.sc.advance();
      const close = this.sc.text.indexOf(String.fromCharCode(c), this.sc.pos);
      if (close < 0) this.sc.fail(start, "unterminated quoted include path");
      this.sc.emit("include", this.sc.text.slice(this.sc.pos, close), start);
      this.sc.pos = close + 1;
      return;
    }
    if (c === ch.lbracket) this.sc.fail(start, "expected an include path but found the start of an array");
    if (c === ch.lbrace) this.sc.fail(start, "expected an include path but found the start of a map");
    if (c === ch.lparen) this.sc.fail(start, "expected an include path but found the start of a block");
    if (isDigit(c) || c === ch.minus) this.sc.fail(start, "expected an include path but found the start of a number");
    if (c === ch.backslash) this.sc.fail(start, "expected an include path but found an escape sequence");
    if (isNewline(c)) this.sc.fail(start, "expected an include path but found a new line");
    for (;;) {
      const k = this.sc.peek();
      if (k === EOF || isNewline(k) || isBlank(k) || k === ch.semicolon || k === ch.rbrace) break;
      if (k === ch.squote) {
        // nats-server ends a bare path at a quote and swallows the quote.
        this.sc.emit("include", this.sc.text.slice(start, this.sc.pos), start);
        this.sc.advance();
        return;
      }
      this.sc.advance();
    }
    this.sc.emit("include", this.sc.text.slice(start, this.sc.pos), start);
  }

  // ---- values -----------------------------------------------------------------

  private value(): void {
    this.sc.skipWhile(isBlank);
    const start = this.sc.pos;
    const c = this.sc.peek();
    switch (c) {
      case ch.lbracket:
        this.sc.advance();
        return this.array(start);
      case ch.lbrace:
        this.sc.advance();
        return this.map(start);
      case ch.squote:
        this.sc.advance();
        return lexRawString(this.sc, start);
      case ch.dquote:
        this.sc.advance();
        return lexQuotedString(this.sc, start);
      case ch.minus:
        this.sc.advance();
        return lexNegativeNumber(this.sc, start);
      case ch.lparen:
        this.sc.advance();
        return lexBlockString(this.sc, start);
      case ch.dot:
        return this.sc.fail(start, "floats must start with a digit");
    }
    if (isDigit(c)) return lexNumberOrDateOrString(this.sc, start);
    if (isNewline(c)) this.sc.fail(start, "expected a value but found a new line");
    // Anything else, including the end of input (an empty value), is an unquoted string.
    lexBareString(this.sc, start);
  }

  private array(open: number): void {
    this.enter(open, "arrays");
    this.sc.emit("arrayStart", "", open);
    for (;;) {
      // Before an element: white space, line breaks and comments.
      const c = this.sc.peek();
      if (isSpace(c)) {
        this.sc.advance();
        continue;
      }
      if (this.sc.atComment()) {
        this.sc.skipComment();
        continue;
      }
      if (c === ch.comma || c === ch.slash) this.sc.fail(this.sc.pos, `unexpected ${describe(c)} where an array element was expected`);
      if (c === ch.rbracket) {
        this.sc.advance();
        break;
      }
      if (c === EOF) this.sc.fail(open, "this '[' is never closed");
      this.value();
      if (this.arrayValueEnd(open)) break;
    }
    this.sc.emit("arrayEnd", "", this.sc.pos - 1);
    this.leave();
  }

  /** After an element: ',' or a line break before the next, or ']' (returns true). */
  private arrayValueEnd(open: number): boolean {
    for (;;) {
      const c = this.sc.peek();
      if (isBlank(c)) {
        this.sc.advance();
        continue;
      }
      if (this.sc.atComment()) {
        this.sc.skipComment();
        continue;
      }
      // nats-server also takes a lone '/' as an element separator.
      if (c === ch.comma || isNewline(c) || c === ch.slash) {
        this.sc.advance();
        return false;
      }
      if (c === ch.rbracket) {
        this.sc.advance();
        return true;
      }
      if (c === EOF) this.sc.fail(open, "this '[' is never closed");
      this.sc.fail(this.sc.pos, `expected ',' or ']' after an array element, but found ${describe(c)}`);
    }
  }

  private map(open: number): void {
    this.enter(open, "maps");
    this.sc.emit("mapStart", "", open);
    for (;;) {
      const c = this.sc.peek();
      if (isKeySeparator(c)) this.sc.fail(this.sc.pos, `unexpected key separator ${describe(c)}`);
      if (c === ch.rbracket) this.sc.fail(this.sc.pos, "unexpected ']' in a map");
      if (isSpace(c)) {
        this.sc.advance();
        continue;
      }
      if (c === ch.rbrace) {
        this.sc.advance();
        break;
      }
      if (this.sc.atComment()) {
        this.sc.skipComment();
        continue;
      }
      if (c === EOF) this.sc.fail(open, "this '{' is never closed");
      if (c === ch.slash) {
        // nats-server drops a lone '/' before a map key and starts the key
        // with whatever follows.
        this.sc.advance();
        this.member("map", true);
      } else {
        this.member("map");
      }
      if (this.mapValueEnd(open)) break;
    }
    this.sc.emit("mapEnd", "", this.sc.pos - 1);
    this.leave();
  }

  /** After a map value: ',', ';' or a line break before the next key, or '}' (returns true). */
  private mapValueEnd(open: number): boolean {
    for (;;) {
      const c = this.sc.peek();
      if (isBlank(c)) {
        this.sc.advance();
        continue;
      }
      if (this.sc.atComment()) {
        this.sc.skipComment();
        continue;
      }
      if (c === ch.comma || c === ch.semicolon || isNewline(c) || c === ch.slash) {
        this.sc.advance();
        return false;
      }
      if (c === ch.rbrace) {
        this.sc.advance();
        return true;
      }
      if (c === EOF) this.sc.fail(open, "this '{' is never closed");
      this.sc.fail(this.sc.pos, `expected ',' or '}' after a map value, but found ${describe(c)}`);
    }
  }
}

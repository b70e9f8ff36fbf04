import { ch, EOF, isNewline } from "./chars.js";
import type { SourceText } from "./source.js";
import type { Token, TokenKind } from "./tokens.js";

/**
 * A cursor over config text, by code point, that collects tokens. The lexer
 * modules share one of these.
 */
export class Scanner {
  readonly source: SourceText;
  readonly text: string;
  /** Offset of the next character, in UTF-16 units. */
  pos = 0;
  readonly tokens: Token[] = [];

  constructor(source: SourceText) {
    this.source = source;
    this.text = source.text;
  }

  /** The next code point, or EOF. */
  peek(): number {
    return this.pos < this.text.length ? (this.text.codePointAt(this.pos) as number) : EOF;
  }

  advance(): void {
    const c = this.peek();
    if (c !== EOF) this.pos += c > 0xffff ? 2 : 1;
  }

  skipWhile(pred: (c: number) => boolean): void {
    while (pred(this.peek())) this.advance();
  }

  /** `#` or `//` starts a comment running to the end of the line. */
  atComment(): boolean {
    const c = this.peek();
    return c === ch.hash || (c === ch.slash && this.text.charCodeAt(this.pos + 1) === ch.slash);
  }

  /** Skips a comment up to, not including, the line break, which the caller then sees. */
  skipComment(): void {
    this.skipWhile((c) => c !== EOF && !isNewline(c));
  }

  emit(kind: TokenKind, text: string, offset: number): void {
    this.tokens.push({ kind, text, offset });
  }

  fail(offset: number, reason: string): never {
    throw this.source.error(offset, reason);
  }
}

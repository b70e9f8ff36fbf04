/**
 * Character classes of the config language, on code points. They follow Go's
 * definitions (unicode.IsSpace, unicode.IsDigit) because nats-server's lexer
 * uses those, so e.g. a no-break space separates a key from its value.
 */

/** Returned by the scanner past the end of input. Never a real code point. */
export const EOF = -1;

const WHITE_SPACE = /\p{White_Space}/u;
const DECIMAL_DIGIT = /\p{Nd}/u;

/** Any Unicode white space, new lines included (Go's unicode.IsSpace). */
export function isSpace(c: number): boolean {
  if (c < 0) return false;
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return WHITE_SPACE.test(String.fromCodePoint(c));
}

/** Any Unicode decimal digit (Go's unicode.IsDigit). */
export function isDigit(c: number): boolean {
  if (c < 0) return false;
  if (c < 0x80) return c >= 0x30 && c <= 0x39;
  return DECIMAL_DIGIT.test(String.fromCodePoint(c));
}

/** Space or tab: what may separate tokens on one line. */
export function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** '\n' or '\r': both end a value. */
export function isNewline(c: number): boolean {
  return c === 0x0a || c === 0x0d;
}

/** ':' or '=' between a key and its value. */
export function isKeySeparator(c: number): boolean {
  return c === 0x3a || c === 0x3d;
}

/** First letter of a size suffix (k, m, g, t, p, e in either case). */
export function isSizeSuffixLetter(c: number): boolean {
  switch (c | 0x20) {
    case 0x6b: // k
    case 0x6d: // m
    case 0x67: // g
    case 0x74: // t
    case 0x70: // p
    case 0x65: // e
      return c < 0x80;
    default:
      return false;
  }
}

/** Letters that may follow the first suffix letter: b and i in either case (KB, Ki, KiB). */
export function isSizeSuffixTail(c: number): boolean {
  return c === 0x62 || c === 0x42 || c === 0x69 || c === 0x49;
}

export const ch = {
  tab: 0x09,
  newline: 0x0a,
  space: 0x20,
  dquote: 0x22,
  hash: 0x23,
  dollar: 0x24,
  squote: 0x27,
  lparen: 0x28,
  rparen: 0x29,
  comma: 0x2c,
  minus: 0x2d,
  dot: 0x2e,
  slash: 0x2f,
  colon: 0x3a,
  semicolon: 0x3b,
  lbracket: 0x5b,
  backslash: 0x5c,
  rbracket: 0x5d,
  lbrace: 0x7b,
  rbrace: 0x7d,
} as const;

/** How a character is shown in an error message. */
export function describe(c: number): string {
  if (c === EOF) return "end of input";
  if (c === 0x0a) return "a new line";
  if (c === 0x0d) return "a carriage return";
  if (c === 0x09) return "a tab";
  if (c < 0x20 || c === 0x7f) return `control character U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
  return `'${String.fromCodePoint(c)}'`;
}

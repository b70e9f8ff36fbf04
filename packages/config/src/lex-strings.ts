import { ch, EOF, isBlank, isNewline } from "./chars.js";
import type { Scanner } from "./scanner.js";
import { TextBuilder } from "./text-builder.js";

const BOOL_WORDS: ReadonlySet<string> = new Set(["true", "false", "yes", "no", "on", "off"]);

/** 'single quoted', after the quote: taken literally, may span lines. */
export function lexRawString(sc: Scanner, open: number): void {
  const close = sc.text.indexOf("'", sc.pos);
  if (close < 0) sc.fail(open, "unterminated single-quoted string");
  sc.emit("string", sc.text.slice(sc.pos, close), open);
  sc.pos = close + 1;
}

/** "double quoted", after the quote: escapes apply, may span lines; never a variable or boolean. */
export function lexQuotedString(sc: Scanner, open: number): void {
  const out = new TextBuilder();
  let from = sc.pos;
  for (;;) {
    const c = sc.peek();
    if (c === EOF) sc.fail(open, "unterminated double-quoted string");
    if (c === ch.dquote) {
      out.addText(sc.text.slice(from, sc.pos));
      sc.advance();
      sc.emit("string", out.toString(), open);
      return;
    }
    if (c === ch.backslash) {
      out.addText(sc.text.slice(from, sc.pos));
      sc.advance();
      lexEscape(sc, out);
      from = sc.pos;
      continue;
    }
    sc.advance();
  }
}

/**
 * An unquoted string from `start`; text before `sc.pos` is already part of
 * it, taken literally. Ends before a blank, line break, ';', ',', ']' or
 * '}' ('#' does not end it). Unless it contained an escape, it may turn out
 * to be a boolean word or a `$variable`.
 */
export function lexBareString(sc: Scanner, start: number): void {
  const out = new TextBuilder();
  let from = start;
  let escaped = false;
  for (;;) {
    const c = sc.peek();
    if (c === ch.backslash) {
      out.addText(sc.text.slice(from, sc.pos));
      sc.advance();
      lexEscape(sc, out);
      escaped = true;
      from = sc.pos;
      continue;
    }
    if (endsBareString(c)) break;
    if (c === ch.squote) {
      // nats-server ends an unquoted string at a quote and swallows the
      // quote; what it read so far stays a plain string.
      out.addText(sc.text.slice(from, sc.pos));
      sc.advance();
      sc.emit("string", out.toString(), start);
      return;
    }
    sc.advance();
  }
  out.addText(sc.text.slice(from, sc.pos));
  const s = out.toString();
  if (escaped) sc.emit("string", s, start);
  else if (BOOL_WORDS.has(s.toLowerCase())) sc.emit("bool", s, start);
  else if (s.startsWith("$")) sc.emit("variable", s.slice(1), start);
  else sc.emit("string", s, start);
}

function endsBareString(c: number): boolean {
  return (
    c === EOF ||
    isNewline(c) ||
    isBlank(c) ||
    c === ch.semicolon ||
    c === ch.comma ||
    c === ch.rbracket ||
    c === ch.rbrace
  );
}

/**
 * `(` ... `)`, after the '(': everything up to a ')' that stands alone on its
 * line, taken literally. The text keeps the line break before the ')'; if
 * the ')' is the last character of the input, nats-server keeps the ')' too.
 */
export function lexBlockString(sc: Scanner, open: number): void {
  const from = sc.pos;
  const text = sc.text;
  for (let i = text.indexOf(")", from); i >= 0; i = text.indexOf(")", i + 1)) {
    if (text.charCodeAt(i - 1) !== ch.newline) continue;
    if (i + 1 === text.length) {
      sc.emit("string", text.slice(from, i + 1), open);
      sc.pos = i + 1;
      return;
    }
    // Only '\n' counts after the ')': with CRLF line ends the block goes on.
    if (text.charCodeAt(i + 1) === ch.newline) {
      sc.emit("string", text.slice(from, i), open);
      sc.pos = i + 1;
      return;
    }
  }
  sc.fail(open, "unterminated block string: '(' needs a ')' alone at the start of a line");
}

/** After a backslash: the escapes nats-server knows, and no others (no \u). */
function lexEscape(sc: Scanner, out: TextBuilder): void {
  const backslash = sc.pos - 1;
  const c = sc.peek();
  sc.advance();
  switch (c) {
    case 0x74: // t
      return out.addText("\t");
    case 0x6e: // n
      return out.addText("\n");
    case 0x72: // r
      return out.addText("\r");
    case ch.dquote:
      return out.addText('"');
    case ch.backslash:
      return out.addText("\\");
    case 0x78: {
      // x: exactly two hex digits, one byte
      const hex = sc.text.slice(sc.pos, sc.pos + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        sc.fail(backslash, `expected two hexadecimal digits after '\\x', but found '${hex}'`);
      }
      sc.pos += 2;
      return out.addByte(parseInt(hex, 16));
    }
  }
  const what = c === EOF ? "at end of input" : `'\\${String.fromCodePoint(c)}'`;
  sc.fail(backslash, `invalid escape ${what}; only \\xHH, \\t, \\n, \\r, \\" and \\\\ are allowed`);
}

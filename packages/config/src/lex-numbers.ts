import { ch, describe, EOF, isBlank, isDigit, isNewline, isSizeSuffixLetter, isSizeSuffixTail } from "./chars.js";
import { lexBareString } from "./lex-strings.js";
import type { Scanner } from "./scanner.js";

/**
 * Starts at a digit. Becomes an integer (maybe with a size suffix), a float,
 * a datetime, or an unquoted string such as "10s" or "127.0.0.1:4222".
 */
export function lexNumberOrDateOrString(sc: Scanner, start: number): void {
  sc.advance();
  for (;;) {
    const c = sc.peek();
    if (isDigit(c)) {
      sc.advance();
      continue;
    }
    if (c === ch.minus) {
      sc.advance();
      if (sc.pos - start !== 5) sc.fail(start, "dates must be in full ISO8601 Zulu form, e.g. 2006-01-02T15:04:05Z");
      return lexDatetime(sc, start);
    }
    if (c === ch.dot) {
      sc.advance();
      return lexFraction(sc, start);
    }
    if (isSizeSuffixLetter(c)) {
      sc.advance();
      return lexSizeSuffix(sc, start);
    }
    if (endsNumber(c)) {
      sc.emit("integer", sc.text.slice(start, sc.pos), start);
      return;
    }
    // Not a number after all. nats-server takes this character into the
    // string without looking at it, so a ']' or '\' here is literal: `[1]`
    // is the string "1]" inside an array that is never closed.
    sc.advance();
    return lexBareString(sc, start);
  }
}

/** After '-': an integer, possibly with a size suffix, or a float. */
export function lexNegativeNumber(sc: Scanner, start: number): void {
  const c = sc.peek();
  if (!isDigit(c)) {
    sc.fail(sc.pos, c === ch.dot ? "floats must start with a digit" : `expected a digit after '-', but found ${describe(c)}`);
  }
  sc.advance();
  for (;;) {
    const k = sc.peek();
    if (isDigit(k)) {
      sc.advance();
      continue;
    }
    if (k === ch.dot) {
      sc.advance();
      return lexFraction(sc, start);
    }
    if (isSizeSuffixLetter(k)) {
      sc.advance();
      return lexSizeSuffix(sc, start);
    }
    // Unlike positive numbers, what follows is left to the caller, so "-5s"
    // is an error rather than a string.
    sc.emit("integer", sc.text.slice(start, sc.pos), start);
    return;
  }
}

/** After the '.' of a float; a second '.' makes it a dotted string such as an IP address. */
function lexFraction(sc: Scanner, start: number): void {
  const c = sc.peek();
  if (!isDigit(c)) sc.fail(sc.pos, `floats must have a digit after the '.', but found ${describe(c)}`);
  sc.advance();
  for (;;) {
    const k = sc.peek();
    if (isDigit(k)) {
      sc.advance();
      continue;
    }
    if (k === ch.dot) {
      sc.advance();
      sc.skipWhile((d) => isDigit(d) || d === ch.dot || d === ch.colon || d === ch.minus);
      sc.emit("string", sc.text.slice(start, sc.pos), start);
      return;
    }
    sc.emit("float", sc.text.slice(start, sc.pos), start);
    return;
  }
}

/** After a size suffix letter: more of b/i, then either the number ends or it was a string all along ("1ms"). */
function lexSizeSuffix(sc: Scanner, start: number): void {
  sc.skipWhile(isSizeSuffixTail);
  const c = sc.peek();
  // A digit ends the number too, leaving the digit to fail where the value must end.
  if (endsNumber(c) || isDigit(c)) {
    sc.emit("integer", sc.text.slice(start, sc.pos), start);
    return;
  }
  lexBareString(sc, start);
}

/** After "YYYY-": the rest of YYYY-MM-DDTHH:MM:SSZ, exactly. */
function lexDatetime(sc: Scanner, start: number): void {
  for (const want of "00-00T00:00:00Z") {
    const c = sc.peek();
    const ok = want === "0" ? isDigit(c) : c === want.charCodeAt(0);
    if (!ok) {
      sc.fail(sc.pos, `expected ${want === "0" ? "a digit" : `'${want}'`} in ISO8601 datetime, but found ${describe(c)}`);
    }
    sc.advance();
  }
  sc.emit("datetime", sc.text.slice(start, sc.pos), start);
}

/** What may follow a plain integer (not ']': see lexNumberOrDateOrString). */
function endsNumber(c: number): boolean {
  return c === EOF || isNewline(c) || isBlank(c) || c === ch.rbrace || c === ch.semicolon || c === ch.comma;
}

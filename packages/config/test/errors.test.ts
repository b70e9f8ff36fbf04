import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/index.js";

function errorOf(text: string, filename?: string): ConfigError {
  try {
    parseConfig(text, { env: {}, filename });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe("ConfigError", () => {
  it("carries file, line, column and reason, and names them in the message", () => {
    const e = errorOf('a: 1\nb: "abc', "my.conf");
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("ConfigError");
    expect(e.file).toBe("my.conf");
    expect(e.line).toBe(2);
    expect(e.col).toBe(4);
    expect(e.reason).toBe("unterminated double-quoted string");
    expect(e.message).toBe("my.conf:2:4: unterminated double-quoted string");
  });

  it("uses <string> when no filename is given", () => {
    expect(errorOf("a: [").file).toBe("<string>");
  });

  const cases: [string, string][] = [
    ['a: "abc', "1:4: unterminated double-quoted string"],
    ["a: 'abc", "1:4: unterminated single-quoted string"],
    ["a: (\nabc", "1:4: unterminated block string: '(' needs a ')' alone at the start of a line"],
    ["a: 1\nb {\n  c: 1\n", "2:3: this '{' is never closed"],
    ["a: 1\nb: [1, 2\n", "2:4: this '[' is never closed"],
    ["{\n  a: 1\n", "1:1: this '{' is never closed"],
    ["a: 1\nb: 2 3", "2:6: expected a new line, ';', ',' or a comment after a top-level value, but found '3'"],
    ["m {\n  a: 1\n  b 2 3\n}", "3:7: expected ',' or '}' after a map value, but found '3'"],
    ["a: [1 2 ]", "1:7: expected ',' or ']' after an array element, but found '2'"],
    ["m { a: 1 ]", "1:10: expected ',' or '}' after a map value, but found ']'"],
    ["a:\n  1", "1:3: expected a value but found a new line"],
    ["a: 1\n:b", "2:1: unexpected key separator ':'"],
    ["x: 1\n  y: \"\\q\"", "2:7: invalid escape '\\q'; only \\xHH, \\t, \\n, \\r, \\\" and \\\\ are allowed"],
    ["a: 1kbb", "1:4: unknown size suffix 'kbb' in '1kbb' (use k, kb, ki, kib, m, mb, ..., e, eb)"],
    ["a: 99999999999999999999", "1:4: integer '99999999999999999999' is out of range"],
    ["a: .5", "1:4: floats must start with a digit"],
    ["a: 2006-01-0", "1:13: expected a digit in ISO8601 datetime, but found end of input"],
    ["port: 4222\nhost: $NOPE\n", "2:7: variable reference for 'NOPE' can not be found"],
    ["a: 1\nb", "2:1: key 'b' has no value"],
    ["a: 1 /x", "1:7: expected a new line, ';', ',' or a comment after a top-level value, but found 'x'"],
    ["/x: 1", "1:1: unexpected '/' (comments start with '//' or '#')"],
    ["a: 1\u0000", "1:5: unexpected NUL character"],
  ];
  for (const [text, want] of cases) {
    it(`reports ${JSON.stringify(text)} as ${want}`, () => {
      expect(errorOf(text).message).toBe(`<string>:${want}`);
    });
  }

  it("counts columns in characters, not UTF-16 units or bytes", () => {
    expect(errorOf("a: \u{1F600} x").col).toBe(6);
    expect(errorOf("é: é é").col).toBe(6);
  });

  it("counts only '\\n' as a line break", () => {
    expect(errorOf("a: 1\r\nb: 2\r\nc: [").line).toBe(3);
  });
});

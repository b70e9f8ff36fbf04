import { describe, expect, it } from "vitest";
import { isValidLiteralSubject, isValidSubject, subjectIsLiteral, subjectMatches, tokenCount } from "../src/index.js";
import { rng } from "./helpers.js";

// [subject, isValidSubject, isValidLiteralSubject]
const cases: [string, boolean, boolean][] = [
  ["foo", true, true],
  ["foo.bar", true, true],
  ["foo.bar.baz.qux.quux.corge", true, true],
  ["a.b-c_d.e:f/g", true, true],
  ["*", true, false],
  [">", true, false],
  ["foo.*", true, false],
  ["*.bar", true, false],
  ["foo.*.baz", true, false],
  ["*.*.*", true, false],
  ["foo.>", true, false],
  ["*.>", true, false],
  // Wildcard characters inside a longer token are literal.
  ["foo.a*", true, true],
  ["foo.*b", true, true],
  ["foo.>x", true, true],
  ["foo.x>", true, true],
  ["**", true, true],
  [">>", true, true],
  ["foo.**.bar", true, true],
  // Unicode tokens are fine.
  ["ünïcödé.日本語.🚀", true, true],
  ["foo.日本.*", true, false],
  // Empty subject and empty tokens.
  ["", false, false],
  [".", false, false],
  ["..", false, false],
  [".foo", false, false],
  ["foo.", false, false],
  ["foo..bar", false, false],
  ["foo.bar.", false, false],
  [".>", false, false],
  ["*.", false, false],
  // `>` must be the last token.
  [">.foo", false, false],
  ["foo.>.bar", false, false],
  ["a.>.b", false, false],
  ["foo.>.*", false, false],
  ["foo.>.>", false, false],
  ["foo.>.", false, false],
  // Whitespace anywhere, including \f as nats-server refuses it.
  [" ", false, false],
  ["foo bar", false, false],
  ["foo. bar", false, false],
  ["foo.bar ", false, false],
  [" foo", false, false],
  ["foo\tbar", false, false],
  ["foo.\t", false, false],
  ["foo\rbar", false, false],
  ["foo.\r", false, false],
  ["foo\nbar", false, false],
  ["foo.\n", false, false],
  ["foo\fbar", false, false],
  ["foo.* ", false, false],
  ["foo. *", false, false],
];

describe("isValidSubject / isValidLiteralSubject", () => {
  it.each(cases)("%j: subject %s, literal %s", (subject, valid, literal) => {
    expect(isValidSubject(subject)).toBe(valid);
    expect(isValidLiteralSubject(subject)).toBe(literal);
  });
});

describe("subjectIsLiteral", () => {
  it.each<[string, boolean]>([
    ["foo", true],
    ["foo.bar", true],
    ["foo.a*", true],
    ["foo.*b", true],
    ["foo.>x", true],
    ["foo.**", true],
    ["*", false],
    [">", false],
    ["foo.*", false],
    ["*.foo", false],
    ["foo.*.bar", false],
    ["foo.>", false],
    // Not a validator: only whole `*`/`>` tokens matter.
    ["foo..bar", true],
    ["", true],
    ["a b", true],
  ])("%j -> %s", (subject, literal) => {
    expect(subjectIsLiteral(subject)).toBe(literal);
  });
});

describe("tokenCount", () => {
  it.each<[string, number]>([
    ["", 0],
    ["foo", 1],
    ["foo.bar", 2],
    ["foo.bar.baz", 3],
    ["*.>", 2],
    [".", 2],
    ["a..b", 3],
  ])("%j -> %i", (subject, n) => {
    expect(tokenCount(subject)).toBe(n);
  });
});

describe("subjectMatches", () => {
  it.each<[string, string, boolean]>([
    ["foo", "foo", true],
    ["foo", "bar", false],
    ["foo", "fo", false],
    ["fo", "foo", false],
    ["foo.bar", "foo.bar", true],
    ["foo.bar", "foo", false],
    ["foo", "foo.bar", false],
    ["foo.bar", "foo.baz", false],
    ["foo.bar", "foo.*", true],
    ["foo.bar", "*.bar", true],
    ["foo.bar", "*.*", true],
    ["foo.bar", "*", false],
    ["foo", "*", true],
    ["foo", "*.*", false],
    ["foo.bar.baz", "foo.*", false],
    ["foo.bar.baz", "foo.*.baz", true],
    ["foo.bar.baz", "foo.*.*", true],
    ["foo.bar", "foo.>", true],
    ["foo.bar.baz", "foo.>", true],
    ["foo", "foo.>", false],
    ["foo", ">", true],
    ["foo.bar.baz", ">", true],
    ["foo.bar.baz", "*.>", true],
    ["foo.bar.baz", "*.*.>", true],
    ["foo.bar.baz", "*.*.*.>", false],
    // Literal tokens that contain wildcard characters.
    ["foo.bar", "foo.*r", false],
    ["foo.*r", "foo.*r", true],
    ["foo.bar", "foo.>r", false],
    ["foo.>r", "foo.*", true],
    // Subject tokens are always literal.
    ["foo.*", "foo.*", true],
    ["foo.*", "foo.bar", false],
    ["foo.>", "foo.>", true],
    // Malformed input matches nothing.
    ["", ">", false],
    ["foo", "", false],
    ["foo..bar", "foo.*.bar", false],
    ["foo..bar", ">", false],
    ["foo.bar.", "foo.>", false],
    [".foo", "*.foo", false],
    ["foo.bar.baz", "foo.>.baz", false],
  ])("%j vs %j -> %s", (subject, filter, expected) => {
    expect(subjectMatches(subject, filter)).toBe(expected);
  });
});

/** nats-server's rules spelled out the slow way (split into tokens), to check the one-pass scan against. */
function referenceValid(subject: string, wildcards: boolean): boolean {
  if (subject === "" || /[ \t\n\r\f]/.test(subject)) return false;
  const tokens = subject.split(".");
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === "") return false;
    if (t === "*" || t === ">") {
      if (!wildcards) return false;
      if (t === ">" && i !== tokens.length - 1) return false;
    }
  }
  return true;
}

describe("subject validation against a token-by-token reference", () => {
  it("agrees on 20,000 random strings over separators, wildcards, whitespace and letters", () => {
    const rand = rng(7);
    const alphabet = [".", ".", "*", ">", "a", "b", "ü", " ", "\t", "\f", "-"];
    for (let n = 0; n < 20_000; n++) {
      let s = "";
      const len = Math.floor(rand() * 9);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
      expect([s, isValidSubject(s)]).toEqual([s, referenceValid(s, true)]);
      expect([s, isValidLiteralSubject(s)]).toEqual([s, referenceValid(s, false)]);
    }
  });
});

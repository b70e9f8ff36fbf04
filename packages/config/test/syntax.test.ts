import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/index.js";

const parse = (text: string) => parseConfig(text, { env: {} });

describe("keys and separators", () => {
  it("accepts ':', '=' or white space between key and value", () => {
    expect(parse("a: 1\nb = 2\nc 3\nd\t4\ne:5\nf=6")).toEqual({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 });
  });

  it("ends values with a new line, ';' or ','", () => {
    expect(parse("a: 1; b: 2, c: 3\nd: 4;")).toEqual({ a: 1, b: 2, c: 3, d: 4 });
  });

  it("accepts double- and single-quoted keys, taken literally", () => {
    expect(parse(`"a key": 1\n'b:key' = 2\n"c\\t": 3`)).toEqual({ "a key": 1, "b:key": 2, "c\\t": 3 });
  });

  it("lets a bare key contain anything but white space and separators", () => {
    expect(parse("a.b-c_d/e#f: 1")).toEqual({ "a.b-c_d/e#f": 1 });
  });

  it("lets the value start on a later line when there is no separator", () => {
    expect(parse("a\n  1")).toEqual({ a: 1 });
  });

  it("requires a top-level value on the separator's line", () => {
    expect(() => parse("a:\n  1")).toThrow(/expected a value but found a new line/);
  });

  it("lets the last of duplicate keys win", () => {
    expect(parse("a: 1\na: 2\nm { x: 1 }\nm { y: 2 }")).toEqual({ a: 2, m: { y: 2 } });
  });

  it("keeps prototype-looking keys as plain data", () => {
    const m = parse("__proto__: 1\nconstructor: 2\ntoString: 3");
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
    expect(Object.keys(m)).toEqual(["__proto__", "constructor", "toString"]);
    expect(m["__proto__"]).toBe(1);
  });

  it("reads a missing value before ',', '}' or the end of input as the empty string, as nats-server does", () => {
    expect(parse("b: ,\nc: }\na:")).toEqual({ b: "", c: "", a: "" });
  });

  it("rejects a key with no value at the end of the input", () => {
    expect(() => parse("a: 1\nb")).toThrow(/key 'b' has no value/);
  });

  it("treats `include:` with a separator as an ordinary key", () => {
    expect(parse("include: 5")).toEqual({ include: 5 });
  });
});

describe("maps", () => {
  it("nests maps, with or without a separator before '{'", () => {
    expect(parse("a { b { c: 1 } }\nd: { e = 2 }\nf = {}")).toEqual({ a: { b: { c: 1 } }, d: { e: 2 }, f: {} });
  });

  it("separates entries with ',', ';' or new lines, allowing a trailing separator", () => {
    expect(parse("m { a: 1, b: 2; c: 3\n d: 4, }")).toEqual({ m: { a: 1, b: 2, c: 3, d: 4 } });
  });

  it("lets a map value start on a later line, even after the separator", () => {
    expect(parse("m {\n  a:\n    1\n  b\n  =\n  2\n}")).toEqual({ m: { a: 1, b: 2 } });
  });

  it("holds arrays", () => {
    expect(parse("m { list: [a, b ], n: 1 }")).toEqual({ m: { list: ["a", "b"], n: 1 } });
  });

  it("rejects a key without a value before '}'", () => {
    expect(() => parse("m { a: }")).toThrow(ConfigError);
  });

  it("rejects an unclosed map", () => {
    expect(() => parse("m {\n  a: 1\n")).toThrow(/'\{' is never closed/);
  });
});

describe("arrays", () => {
  it("separates elements with commas and/or new lines", () => {
    expect(parse("a: [1, 2, 3 ]\nb: [\n  x\n  y,\n  z\n]\nc: [ ]")).toEqual({ a: [1, 2, 3], b: ["x", "y", "z"], c: [] });
  });

  it("allows a trailing comma", () => {
    expect(parse("a: [x, y, ]")).toEqual({ a: ["x", "y"] });
  });

  it("holds maps and arrays", () => {
    expect(parse("a: [ {x: 1}\n {y: [p, q ]}, [r, [s ] ] ]")).toEqual({ a: [{ x: 1 }, { y: ["p", "q"] }, ["r", ["s"]]] });
  });

  it("mixes element types", () => {
    expect(parse("a: [1, two, 'three', \"four\", true, 1.5, 2KB ]")).toEqual({ a: [1, "two", "three", "four", true, 1.5, 2048, ] });
  });

  it("rejects empty elements", () => {
    expect(() => parse("a: [1,,2 ]")).toThrow(ConfigError);
    expect(() => parse("a: [,1 ]")).toThrow(ConfigError);
  });

  it("rejects an unclosed array", () => {
    expect(() => parse("a: [1, 2")).toThrow(/'\[' is never closed/);
  });

  // nats-server quirk: an unsigned integer swallows a directly following ']'
  // into an unquoted string, so `[1, 2]` fails there and here alike.
  it("needs white space between a final positive integer and ']'", () => {
    expect(() => parse("a: [1, 2]")).toThrow(ConfigError);
    expect(parse("a: [1, 2 ]")).toEqual({ a: [1, 2] });
    expect(parse("a: [-1]\nb: [1.5]\nc: [x]")).toEqual({ a: [-1], b: [1.5], c: ["x"] });
  });
});

describe("comments", () => {
  it("runs '#' and '//' comments to the end of the line", () => {
    const text = [
      "# leading",
      "// leading",
      "a: 1 # after a value",
      "b: 2 // after a value",
      "m { # after '{'",
      "  # inside",
      "  c: 3 // after a map value",
      "}",
      "arr: [ # after '['",
      "  1 # after an element",
      "  // between",
      "  2",
      "]",
    ].join("\n");
    expect(parse(text)).toEqual({ a: 1, b: 2, m: { c: 3 }, arr: [1, 2] });
  });

  it("does not start a comment inside an unquoted value", () => {
    expect(parse("a: foo#bar")).toEqual({ a: "foo#bar" });
  });
});

describe("top-level braces", () => {
  it("accepts JSON-style files", () => {
    const json = `{\n  "port": 4222,\n  "tags": ["a", "b" ],\n  "jetstream": { "enabled": true }\n}\n`;
    expect(parse(json)).toEqual({ port: 4222, tags: ["a", "b"], jetstream: { enabled: true } });
  });

  it("puts keys in a top-level block into the top-level map", () => {
    expect(parse("{ a: 1 }\nb: 2")).toEqual({ a: 1, b: 2 });
  });

  it("accepts a stray '}' after a top-level value or at the end, as nats-server does", () => {
    expect(parse("a: 1 }\nb: 2")).toEqual({ a: 1, b: 2 });
    expect(parse("a: 1\n}\n")).toEqual({ a: 1 });
  });

  it("rejects an unclosed top-level '{'", () => {
    expect(() => parse("{ a: 1\n")).toThrow(/never closed/);
  });
});

describe("line endings and white space", () => {
  it("accepts CRLF files", () => {
    expect(parse("a: 1\r\nm {\r\n  b: x\r\n}\r\n")).toEqual({ a: 1, m: { b: "x" } });
  });

  it("skips a leading byte-order mark", () => {
    expect(parse("\ufeffa: 1")).toEqual({ a: 1 });
  });

  it("treats Unicode white space between key and value like a space", () => {
    expect(parse("k\u00a0v")).toEqual({ k: "v" });
  });
});

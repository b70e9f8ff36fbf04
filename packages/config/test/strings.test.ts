import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/index.js";

const parse = (text: string) => parseConfig(text, { env: {} });

describe("double-quoted strings", () => {
  it("applies the escapes nats-server knows", () => {
    expect(parse(String.raw`a: "tab\tnl\ncr\rq\"bs\\end"`)).toEqual({ a: 'tab\tnl\ncr\rq"bs\\end' });
  });

  it("reads \\xHH as a byte, decoding byte sequences as UTF-8", () => {
    expect(parse(String.raw`a: "\x41\x42"` + "\n" + String.raw`b: "caf\xc3\xa9"`)).toEqual({ a: "AB", b: "café" });
  });

  it("rejects other escapes, \\u included (nats-server has none)", () => {
    expect(() => parse(String.raw`a: "\u00e9"`)).toThrow(/invalid escape '\\u'/);
    expect(() => parse(String.raw`a: "\q"`)).toThrow(ConfigError);
    expect(() => parse(String.raw`a: "\x4g"`)).toThrow(/two hexadecimal digits/);
  });

  it("may span lines", () => {
    expect(parse('a: "one\ntwo"')).toEqual({ a: "one\ntwo" });
  });

  it("is never a variable, boolean or number", () => {
    expect(parse('a: "$JS.API.>"\nb: "true"\nc: "42"\nd: "$FOO"')).toEqual({ a: "$JS.API.>", b: "true", c: "42", d: "$FOO" });
  });

  it("rejects a missing closing quote", () => {
    expect(() => parse('a: "abc')).toThrow(/unterminated double-quoted string/);
  });
});

describe("single-quoted strings", () => {
  it("are raw: no escapes, no variables", () => {
    expect(parse(String.raw`a: 'C:\temp\n $X "q"'`)).toEqual({ a: String.raw`C:\temp\n $X "q"` });
  });

  it("rejects a missing closing quote", () => {
    expect(() => parse("a: 'abc")).toThrow(/unterminated single-quoted string/);
  });
});

describe("unquoted strings", () => {
  it("reads hosts, URLs and subjects", () => {
    const text = [
      "host: 127.0.0.1",
      "listen: 0.0.0.0:4222",
      "url: nats://user:pass@host:4222",
      "subject: foo.bar.>",
      "wild: foo.*.baz",
      "name: my-server_1",
      "path: /var/lib/nats",
    ].join("\n");
    expect(parse(text)).toEqual({
      host: "127.0.0.1",
      listen: "0.0.0.0:4222",
      url: "nats://user:pass@host:4222",
      subject: "foo.bar.>",
      wild: "foo.*.baz",
      name: "my-server_1",
      path: "/var/lib/nats",
    });
  });

  it("ends at white space, so a bare phrase is an error", () => {
    expect(() => parse("a: two words")).toThrow(ConfigError);
  });

  it("applies escapes, which also stop it being a boolean or variable", () => {
    expect(parse(String.raw`a: C:\\dir` + "\n" + String.raw`b: \x24HOME`)).toEqual({ a: "C:\\dir", b: "$HOME" });
  });

  it("reads words that start with digits but are not numbers as strings", () => {
    expect(parse("a: 10s\nb: 1h30m\nc: 500ms\nd: 0x1F\ne: 1_000\nf: 4222abc")).toEqual({
      a: "10s",
      b: "1h30m",
      c: "500ms",
      d: "0x1F",
      e: "1_000",
      f: "4222abc",
    });
  });
});

describe("block strings", () => {
  it("run from '(' to a ')' alone at the start of a line", () => {
    expect(parse("a: (\nline one\n  line two )\n)\nb: 1")).toEqual({ a: "\nline one\n  line two )\n", b: 1 });
  });

  it("keep the ')' when it is the very last character (as nats-server does)", () => {
    expect(parse("a: (\nfoo\n)")).toEqual({ a: "\nfoo\n)" });
  });

  it("reject a missing ')'", () => {
    expect(() => parse("a: (\nfoo\n  )\n")).toThrow(/unterminated block string/);
  });
});

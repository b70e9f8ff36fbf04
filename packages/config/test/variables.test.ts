import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/index.js";

describe("variables", () => {
  it("refer to a key defined earlier in the same map", () => {
    expect(parseConfig("port: 4222\nlisten_port: $port", { env: {} })).toEqual({ port: 4222, listen_port: 4222 });
  });

  it("look outwards through enclosing maps, innermost first", () => {
    const text = "x: outer\nm {\n  x: inner\n  a: $x\n  n { b: $x }\n}\nc: $x";
    expect(parseConfig(text, { env: {} })).toEqual({ x: "outer", m: { x: "inner", a: "inner", n: { b: "inner" } }, c: "outer" });
  });

  it("see maps inside arrays but skip the arrays themselves", () => {
    expect(parseConfig("x: 1\nlist: [ {y: 2, a: $y, b: $x} ]", { env: {} })).toEqual({ x: 1, list: [{ y: 2, a: 2, b: 1 }] });
  });

  it("do not see keys of sibling maps or keys defined later", () => {
    expect(() => parseConfig("m { x: 1 }\ny: $x", { env: {} })).toThrow(/'x' can not be found/);
    expect(() => parseConfig("a: $x\nx: 1", { env: {} })).toThrow(ConfigError);
  });

  it("can stand for maps and arrays", () => {
    const m = parseConfig("users: [ {user: a} ]\ndefaults { limit: 1 }\nacct { users: $users, d: $defaults }", { env: {} });
    expect(m).toEqual({ users: [{ user: "a" }], defaults: { limit: 1 }, acct: { users: [{ user: "a" }], d: { limit: 1 } } });
  });

  it("can be used as array elements", () => {
    expect(parseConfig("x: 1\nlist: [ $x, $x ]", { env: {} })).toEqual({ x: 1, list: [1, 1] });
  });

  it("fall back to the environment, parsing the value like config text", () => {
    const env = { PASS: "s3cret", PORT: "4222", MAX: "64MB", ON: "true", LIST: "[a, b ]", MAP: "{x: 1}", EMPTY: "" };
    const text = "a: $PASS\nb: $PORT\nc: $MAX\nd: $ON\ne: $LIST\nf: $MAP\ng: $EMPTY";
    expect(parseConfig(text, { env })).toEqual({ a: "s3cret", b: 4222, c: 64 * 2 ** 20, d: true, e: ["a", "b"], f: { x: 1 }, g: "" });
  });

  it("prefer a key in the config over an environment variable of the same name", () => {
    expect(parseConfig("HOME: here\na: $HOME", { env: { HOME: "/root" } })).toEqual({ HOME: "here", a: "here" });
  });

  it("use process.env by default", () => {
    process.env.TSNATS_CONFIG_TEST_VAR = "from-process";
    try {
      expect(parseConfig("a: $TSNATS_CONFIG_TEST_VAR")).toEqual({ a: "from-process" });
    } finally {
      delete process.env.TSNATS_CONFIG_TEST_VAR;
    }
  });

  it("let environment values refer to other environment variables, but not in a cycle", () => {
    expect(parseConfig("a: $A", { env: { A: "$B", B: "deep" } })).toEqual({ a: "deep" });
    expect(() => parseConfig("a: $A", { env: { A: "$B", B: "$A" } })).toThrow(/cycle/);
  });

  it("report an environment value that does not parse", () => {
    expect(() => parseConfig("a: $BAD", { env: { BAD: "two words" } })).toThrow(/'BAD' could not be parsed/);
  });

  it("report an undefined variable with its position", () => {
    let err: unknown;
    try {
      parseConfig("port: 4222\nauth {\n  password: $NOPE\n}", { env: {}, filename: "server.conf" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe("server.conf:3:13: variable reference for 'NOPE' can not be found");
  });

  it("are not expanded inside quoted strings", () => {
    expect(parseConfig(`a: "$JS.API.>"\nb: '$X'\nc: "pre $X post"`, { env: { X: "no" } })).toEqual({
      a: "$JS.API.>",
      b: "$X",
      c: "pre $X post",
    });
  });

  it("keep unquoted bcrypt hashes ($2a$...) as strings", () => {
    const hash = "$2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.xtiHyG";
    expect(parseConfig(`password: ${hash}`, { env: {} })).toEqual({ password: hash });
  });

  it("take everything after '$' up to the end of the word as the name", () => {
    expect(parseConfig("a: $my.var-1", { env: { "my.var-1": "x" } })).toEqual({ a: "x" });
    expect(() => parseConfig("a: $", { env: {} })).toThrow(/variable reference for '' can not be found/);
  });

  it("do not find inherited properties such as toString", () => {
    expect(() => parseConfig("a: $toString", { env: {} })).toThrow(/can not be found/);
  });
});

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig, parseConfigFile, positionOf } from "../src/index.js";

let dir: string;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tsnats-config-"));
  write("main.conf", 'port: 4222\ninclude "auth.conf"\naccounts {\n  include accounts/a.conf\n}\nafter: $user\n');
  write("auth.conf", "user: derek\npassword: pw\n");
  write("accounts/a.conf", "A { users: [ {user: a} ] }\ninclude 'b.conf'\n");
  write("accounts/b.conf", "B { users: [ {user: b} ] }\n");
  write("cycle1.conf", "include cycle2.conf\n");
  write("cycle2.conf", "include cycle1.conf\n");
  write("bad.conf", "ok: 1\nbroken: [1, 2\n");
  write("uses-bad.conf", "x: 1\ninclude bad.conf\n");
  write("missing.conf", "x: 1\n  include nothere.conf\n");
  write("override.conf", "a: 1\ninclude override-inc.conf\nc: 3\n");
  write("override-inc.conf", "a: 2\nb: 2\n");
  write("scoped.conf", "secret: s\ninclude scoped-inc.conf\n");
  write("scoped-inc.conf", "copy: $secret\n");
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("include", () => {
  it("merges included keys at the top level and inside maps, relative to the including file", () => {
    expect(parseConfigFile(path.join(dir, "main.conf"), { env: {} })).toEqual({
      port: 4222,
      user: "derek",
      password: "pw",
      accounts: { A: { users: [{ user: "a" }] }, B: { users: [{ user: "b" }] } },
      after: "derek",
    });
  });

  it("records where included keys were written", () => {
    const m = parseConfigFile(path.join(dir, "main.conf"), { env: {} });
    expect(positionOf(m, "user")).toEqual({ file: path.join(dir, "auth.conf"), line: 1, col: 1 });
    expect(positionOf(m, "port")).toEqual({ file: path.join(dir, "main.conf"), line: 1, col: 1 });
  });

  it("lets included keys replace earlier ones and be replaced by later ones", () => {
    expect(parseConfigFile(path.join(dir, "override.conf"), { env: {} })).toEqual({ a: 2, b: 2, c: 3 });
  });

  it("parses the included file on its own: it cannot see the includer's keys", () => {
    expect(() => parseConfigFile(path.join(dir, "scoped.conf"), { env: {} })).toThrow(/'secret' can not be found/);
  });

  it("reports errors inside the included file at their own position", () => {
    expect(() => parseConfigFile(path.join(dir, "uses-bad.conf"), { env: {} })).toThrow(
      `${path.join(dir, "bad.conf")}:2:9: this '[' is never closed`,
    );
  });

  it("reports a missing file at the include", () => {
    let err: unknown;
    try {
      parseConfigFile(path.join(dir, "missing.conf"), { env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as ConfigError;
    expect([ce.file, ce.line, ce.col]).toEqual([path.join(dir, "missing.conf"), 2, 11]);
    expect(ce.reason).toMatch(/cannot read include file 'nothere.conf'/);
  });

  it("refuses include cycles instead of recursing forever", () => {
    expect(() => parseConfigFile(path.join(dir, "cycle1.conf"), { env: {} })).toThrow(/include cycle/);
  });

  it("uses the readFile option for included files", () => {
    const files: Record<string, string> = { [path.join("/cfg", "inc.conf")]: "b: 2" };
    const readFile = (p: string): string => {
      const text = files[p];
      if (text === undefined) throw new Error(`no such file ${p}`);
      return text;
    };
    expect(parseConfig("a: 1\ninclude inc.conf", { filename: "/cfg/main.conf", readFile, env: {} })).toEqual({ a: 1, b: 2 });
  });

  it("resolves includes in a string without a filename against the working directory", () => {
    const seen: string[] = [];
    parseConfig("include 'x.conf'", { env: {}, readFile: (p) => (seen.push(p), "x: 1") });
    expect(seen).toEqual(["x.conf"]);
  });

  it("keeps an absolute include path under the including directory, like nats-server (Go's filepath.Join)", () => {
    const seen: string[] = [];
    parseConfig("include /etc/other.conf", { filename: "/cfg/main.conf", env: {}, readFile: (p) => (seen.push(p), "x: 1") });
    expect(seen).toEqual([path.join("/cfg", "etc/other.conf")]);
  });

  it("accepts quoted and bare paths and is case-insensitive", () => {
    const readFile = (): string => "x: 1";
    for (const text of ['include "a.conf"', "include 'a.conf'", "include a.conf", "INCLUDE a.conf", "m { include a.conf }"]) {
      expect(() => parseConfig(text, { env: {}, readFile }), text).not.toThrow();
    }
  });

  it("rejects a missing path", () => {
    expect(() => parseConfig("include\nfoo.conf", { env: {} })).toThrow(/include path/);
    expect(() => parseConfig("include [a]", { env: {} })).toThrow(ConfigError);
  });

  it("reports an unreadable main file as a ConfigError", () => {
    expect(() => parseConfigFile(path.join(dir, "does-not-exist.conf"))).toThrow(ConfigError);
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "@tsnats/config";
import { optionsFromConfig } from "@tsnats/server";
import { afterEach, describe, expect, it } from "vitest";
import { type ServerProcess, runServer } from "./helpers/process.js";

function load(text: string): void {
  optionsFromConfig(parseConfig(text, { filename: "t.conf" }), "t.conf");
}

const PRIVATE = `
accounts {
  A { exports: [ {stream: b.>, accounts: [B]}, {service: q.b, accounts: [B]} ] }
  B { }
  C { imports: [ IMPORT ] }
}`;

describe("accounts config errors (nats-server's wording)", () => {
  const cases: Array<[string, string, string]> = [
    ["a private stream imported by an account not in its list", PRIVATE.replace("IMPORT", "{stream: {account: A, subject: b.>}}"), 'Error adding stream import "b.>": stream import not authorized'],
    ["a private service imported by an account not in its list", PRIVATE.replace("IMPORT", "{service: {account: A, subject: q.b}}"), 'Error adding service import "q.b": service import not authorized'],
    ["an import of a subject that is not exported", PRIVATE.replace("IMPORT", "{stream: {account: A, subject: nope.>}}"), 'Error adding stream import "nope.>": stream import not authorized'],
    ["an import from an account that does not exist", PRIVATE.replace("IMPORT", "{stream: {account: Z, subject: b.>}}"), '"Z" account not defined for stream import'],
    [
      "a stream import cycle A -> B -> A",
      "accounts { A { exports: [{stream: x}], imports: [{stream: {account: B, subject: x}}] }, B { exports: [{stream: x}], imports: [{stream: {account: A, subject: x}}] } }",
      'Error adding stream import "x": import forms a cycle',
    ],
    [
      "a service import cycle A -> B -> C -> A",
      "accounts { A { exports: [{service: q}], imports: [{service: {account: B, subject: q}}] }, B { exports: [{service: q}], imports: [{service: {account: C, subject: q}}] }, C { exports: [{service: q}], imports: [{service: {account: A, subject: q}}] } }",
      'import forms a cycle',
    ],
    ["no_auth_user naming nobody", "accounts { A { users: [{user: a, password: a}] } }\nno_auth_user: ghost", 'no_auth_user: "ghost" not present as user in authorization block or account configuration'],
    ["a duplicate user", "accounts { A { users: [{user: a, password: a}] }, B { users: [{user: a, password: b}] } }", 'Duplicate user "a" detected'],
    ["a token and a users array", "authorization { token: t, users: [{user: a, password: a}] }", "Can not have a token and a users array"],
    ["a single user and accounts", "authorization { user: x, password: y }\naccounts { A { users: [{user: a, password: a}] } }", "Can not have a single user/pass and accounts"],
    ["the reserved $G account", 'accounts { "$G" { users: [{user: a, password: a}] } }', '"$G" is a Reserved Account'],
    ["a duplicate stream import", "accounts { A { exports: [{stream: x}] }, B { imports: [{stream: {account: A, subject: x}}, {stream: {account: A, subject: x}, prefix: p}] } }", 'Error adding stream import "x": stream import already exists'],
    ["a wildcard prefix", "accounts { A { exports: [{stream: x}] }, B { imports: [{stream: {account: A, subject: x}, prefix: \"p.*\"}] } }", "stream import prefix can not contain wildcard tokens"],
    ["a response type on a stream export", "accounts { A { exports: [{stream: x, response_type: stream}] } }", "Detected response directive on non-service"],
    ["an unknown field in an account", "accounts { A { nope: 1 } }", 'unknown field "nope"'],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => {
      expect(() => load(text)).toThrow(message);
    });
  }

  const accepted: Array<[string, string]> = [
    ["the docs example's shape", PRIVATE.replace("IMPORT", "").replace("B { }", "B { imports: [{stream: {account: A, subject: b.>}}] }")],
    ["prefixed imports both ways", "accounts { A { exports: [{stream: x.>}], imports: [{stream: {account: B, subject: x.>}, prefix: p}] }, B { exports: [{stream: x.>}], imports: [{stream: {account: A, subject: x.>}, prefix: q}] } }"],
    ["an account importing its own export", "accounts { A { exports: [{stream: x}, {service: q}], imports: [{stream: {account: A, subject: x}}, {service: {account: A, subject: q}}] } }"],
    ["a stream import one way and a service import the other", "accounts { A { exports: [{stream: x}, {service: x}], imports: [{stream: {account: B, subject: x}}] }, B { exports: [{stream: x}, {service: x}], imports: [{service: {account: A, subject: x}}] } }"],
  ];
  for (const [name, text] of accepted) {
    it(`accepted: ${name}`, () => {
      expect(() => load(text)).not.toThrow();
    });
  }
});

describe("shards config", () => {
  it("reads the count, hosting and pins", () => {
    const o = optionsFromConfig(parseConfig("shards { count: 3, in_process: true, pin { A: 2, B: 0 } }\naccounts { A {}, B {} }"));
    expect(o.shards).toEqual({ count: 3, inProcess: true, pin: { A: 2, B: 0 } });
    expect(optionsFromConfig(parseConfig("shards: 4")).shards).toEqual({ count: 4 });
  });
  it("refuses nonsense", () => {
    expect(() => load("shards { count: 0 }")).toThrow("count must be at least 1");
    expect(() => load("shards { pin { A: -1 } }")).toThrow("0 or more");
    expect(() => load("shards { colour: blue }")).toThrow('unknown field "colour"');
  });
});

describe("accounts config errors at startup", () => {
  const running: ServerProcess[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop("SIGKILL")));
  });

  it("an unauthorized import: -t names it and exits 1; starting exits 1 without listening", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsnats-acc-"));
    const conf = join(dir, "bad.conf");
    writeFileSync(conf, `listen: 127.0.0.1:-1\n${PRIVATE.replace("IMPORT", "{stream: {account: A, subject: b.>}}")}\n`);
    const t = runServer(["-t", "-c", conf]);
    running.push(t);
    expect(await t.exited).toBe(1);
    expect(t.stderr).toContain('Error adding stream import "b.>": stream import not authorized');
    expect(t.stderr).toContain(`${conf}:`);
    const p = runServer(["-c", conf]);
    running.push(p);
    expect(await p.exited).toBe(1);
    expect(p.output).not.toContain("Listening for client connections");
  });
});

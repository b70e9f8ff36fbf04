import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/index.js";

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parsing must either return a map or throw a ConfigError: never hang, never throw anything else. */
function expectMapOrConfigError(text: string): void {
  const readFile = (): string => {
    throw new Error("no files in this test");
  };
  try {
    const m = parseConfig(text, { env: { FOO: "bar", NUM: "42" }, readFile });
    expect(typeof m).toBe("object");
  } catch (e) {
    if (!(e instanceof ConfigError)) {
      throw new Error(`non-ConfigError for ${JSON.stringify(text)}: ${String(e)}`);
    }
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.col).toBeGreaterThanOrEqual(1);
  }
}

const VALID = `
# sample
listen: 127.0.0.1:4222
max_payload: 1MB
ping_interval: "2m"
authorization { user: derek, password: $FOO, timeout: 1.5 }
accounts {
  A { users: [ {user: a, password: 'a'} ], exports: [ {stream: "$JS.API.>"} ] }
}
cluster { name: c1, routes = [
  nats-route://127.0.0.1:6223 // first
  nats-route://127.0.0.1:6224
] }
created: 2006-01-02T15:04:05Z
motd: (
Hello
)
n: $NUM
include inc.conf
`;

const FRAGMENTS = [
  "a", "key", '"q k"', "'sq'", ":", "=", " ", "\t", "\n", "\r\n", "{", "}", "[", "]", ",", ";", "#c", "//c", "/",
  "\\", "\\t", "\\x4", "'", '"', "(", ")", "\n)\n", "$", "$FOO", "$a", "1", "-", "-3", "1.5", ".", "1.2.3", "1k",
  "1KiB", "10s", "true", "include", "include x", "2006-", "2006-01-02T15:04:05Z", "é", "\u00a0", "\u{1F600}", "\ud800",
];

describe("robustness", () => {
  it("survives every truncation of a valid config", () => {
    for (let i = 0; i <= VALID.length; i++) expectMapOrConfigError(VALID.slice(0, i));
  });

  it("survives random edits of a valid config", () => {
    const rnd = prng(1);
    for (let n = 0; n < 3000; n++) {
      let s = VALID;
      const edits = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < edits; k++) {
        const p = Math.floor(rnd() * (s.length + 1));
        const op = rnd();
        if (op < 0.4) s = s.slice(0, p) + s.slice(p + 1 + Math.floor(rnd() * 3));
        else if (op < 0.8) s = s.slice(0, p) + FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)] + s.slice(p);
        else s = s.slice(0, p) + String.fromCharCode(Math.floor(rnd() * 128)) + s.slice(p + 1);
      }
      expectMapOrConfigError(s);
    }
  });

  it("survives random fragment soup", () => {
    const rnd = prng(2);
    for (let n = 0; n < 5000; n++) {
      let s = "";
      const len = 1 + Math.floor(rnd() * 16);
      for (let j = 0; j < len; j++) s += FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)];
      expectMapOrConfigError(s);
    }
  });

  it("survives random characters, including control characters and lone surrogates", () => {
    const rnd = prng(3);
    for (let n = 0; n < 3000; n++) {
      const len = Math.floor(rnd() * 40);
      let s = "";
      for (let j = 0; j < len; j++) {
        const r = rnd();
        s += String.fromCharCode(r < 0.7 ? Math.floor(rnd() * 128) : r < 0.9 ? Math.floor(rnd() * 0x3000) : 0xd800 + Math.floor(rnd() * 0x800));
      }
      expectMapOrConfigError(s);
    }
  });

  it("accepts deep nesting up to the limit and rejects deeper nesting cleanly", () => {
    const arrays = (n: number): string => `a: ${"[".repeat(n)}${"]".repeat(n)}`;
    const maps = (n: number): string => `${"k {".repeat(n)}${"}".repeat(n)}`;
    expect(() => parseConfig(arrays(500))).not.toThrow();
    expect(() => parseConfig(maps(500))).not.toThrow();
    expect(() => parseConfig(arrays(501))).toThrow(/nested more than 500 levels/);
    expect(() => parseConfig(maps(100_000))).toThrow(ConfigError);
    expect(() => parseConfig(arrays(100_000))).toThrow(ConfigError);
    expect(() => parseConfig("{".repeat(100_000))).toThrow(ConfigError);
  });

  it("counts nesting across environment values", () => {
    const deep = `${"[".repeat(300)}${"]".repeat(300)}`;
    expect(() => parseConfig(`${"k {".repeat(300)} a: $DEEP ${"}".repeat(300)}`, { env: { DEEP: deep } })).toThrow(ConfigError);
  });

  it("parses large inputs in reasonable time", () => {
    let text = "";
    for (let i = 0; i < 20_000; i++) text += `k${i} { a: "x\\ty", b: [1 , 2, foo.bar ], c: 1MB, d: 127.0.0.1:4222 }\n`;
    const start = Date.now();
    const m = parseConfig(text);
    expect(Object.keys(m)).toHaveLength(20_000);
    expect(Date.now() - start).toBeLessThan(5000);
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/index.js";

const parse = (text: string) => parseConfig(text, { env: {} });

describe("integers", () => {
  it("reads positive, negative and zero-padded integers", () => {
    expect(parse("a: 4222\nb: -1\nc: 0\nd: 007\ne: -0")).toEqual({ a: 4222, b: -1, c: 0, d: 7, e: 0 });
  });

  it("reads 64-bit limits and rejects values past them", () => {
    expect(parse("a: 9223372036854775807\nb: -9223372036854775808")).toEqual({ a: 2 ** 63, b: -(2 ** 63) });
    expect(() => parse("a: 9223372036854775808")).toThrow(/out of range/);
  });

  it("does not read '+1' as a number", () => {
    expect(parse("a: +1")).toEqual({ a: "+1" });
  });
});

describe("size suffixes", () => {
  it("uses powers of 1000 for a bare letter and 1024 with b, i or ib, in any case", () => {
    const text = "a: 1k\nb: 1kb\nc: 1ki\nd: 1kib\ne: 2K\nf: 2KB\ng: 2KiB\nh: 2kB";
    expect(parse(text)).toEqual({ a: 1000, b: 1024, c: 1024, d: 1024, e: 2000, f: 2048, g: 2048, h: 2048 });
  });

  it("covers m, g, t, p and e", () => {
    const text = "a: 1m\nb: 1MB\nc: 1g\nd: 1GB\ne: 1t\nf: 1TB\ng: 1p\nh: 1PB\ni: 1e\nj: 1EB";
    expect(parse(text)).toEqual({
      a: 1e6,
      b: 2 ** 20,
      c: 1e9,
      d: 2 ** 30,
      e: 1e12,
      f: 2 ** 40,
      g: 1e15,
      h: 2 ** 50,
      i: 1e18,
      j: 2 ** 60,
    });
  });

  it("applies to negative numbers", () => {
    expect(parse("a: -1k\nb: -2MB")).toEqual({ a: -1000, b: -2 * 2 ** 20 });
  });

  it("rejects unknown suffix combinations and 64-bit overflow", () => {
    expect(() => parse("a: 1kbb")).toThrow(/unknown size suffix/);
    expect(() => parse("a: 8EB")).toThrow(/out of range/);
  });

  it("turns a word such as 1ms or 1kx into a string", () => {
    expect(parse("a: 1ms\nb: 1kx\nc: 5Gbps")).toEqual({ a: "1ms", b: "1kx", c: "5Gbps" });
  });
});

describe("floats", () => {
  it("reads decimal floats", () => {
    expect(parse("a: 1.5\nb: -0.25\nc: 10.0")).toEqual({ a: 1.5, b: -0.25, c: 10 });
  });

  it("reads dotted numbers as strings (IP addresses, versions)", () => {
    expect(parse("a: 1.2.3\nb: 10.0.0.1:4222\nc: -1.2.3")).toEqual({ a: "1.2.3", b: "10.0.0.1:4222", c: "-1.2.3" });
  });

  it("rejects malformed floats", () => {
    for (const bad of ["a: .5", "a: -.5", "a: 1.", "a: 1.x", "a: 1.5s", "a: 1.5e3"]) {
      expect(() => parse(bad), bad).toThrow(ConfigError);
    }
  });
});

describe("booleans", () => {
  it("reads true/false/yes/no/on/off in any case", () => {
    const text = "a: true\nb: FALSE\nc: Yes\nd: no\ne: ON\nf: off";
    expect(parse(text)).toEqual({ a: true, b: false, c: true, d: false, e: true, f: false });
  });

  it("leaves quoted boolean words as strings", () => {
    expect(parse("a: \"true\"\nb: 'off'")).toEqual({ a: "true", b: "off" });
  });
});

describe("datetimes", () => {
  it("reads ISO8601 Zulu datetimes as Dates", () => {
    expect(parse("a: 2006-01-02T15:04:05Z\nb: 0001-01-01T00:00:00Z")).toEqual({
      a: new Date(Date.UTC(2006, 0, 2, 15, 4, 5)),
      b: new Date("0001-01-01T00:00:00Z"),
    });
  });

  it("accepts 29 February only in leap years", () => {
    expect(parse("a: 2004-02-29T00:00:00Z")).toEqual({ a: new Date("2004-02-29T00:00:00Z") });
    expect(() => parse("a: 2006-02-29T00:00:00Z")).toThrow(/datetime/);
  });

  it("rejects partial or out-of-range datetimes", () => {
    for (const bad of ["a: 2006-01-02", "a: 2006-13-01T00:00:00Z", "a: 2006-01-01T24:00:00Z", "a: 12-3"]) {
      expect(() => parse(bad), bad).toThrow(ConfigError);
    }
  });
});

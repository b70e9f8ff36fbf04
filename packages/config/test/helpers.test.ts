import { describe, expect, it } from "vitest";
import { parseDuration, parseSize } from "../src/index.js";

describe("parseDuration", () => {
  it("reads Go duration strings as milliseconds", () => {
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("10s")).toBe(10_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("1.5s")).toBe(1500);
    expect(parseDuration("100us")).toBeCloseTo(0.1, 12);
    expect(parseDuration("100\u00b5s")).toBeCloseTo(0.1, 12);
    expect(parseDuration("10ns")).toBeCloseTo(0.00001, 12);
    expect(parseDuration("1m30.5s")).toBe(90_500);
    expect(parseDuration(".5s")).toBe(500);
    expect(parseDuration("-1s")).toBe(-1000);
    expect(parseDuration("+2s")).toBe(2000);
    expect(parseDuration("0")).toBe(0);
  });

  it("reads numbers as seconds, as nats-server does for integer durations", () => {
    expect(parseDuration(60)).toBe(60_000);
    expect(parseDuration(0.5)).toBe(500);
  });

  it("rejects bad input with an Error naming what was being read", () => {
    for (const bad of ["", "10", "1x", "s", "1.s.", "1 s", "-", "1h-1m", "2d"]) {
      expect(() => parseDuration(bad), bad).toThrow(Error);
    }
    expect(() => parseDuration("soon", "ping_interval")).toThrow(/ping_interval/);
    expect(() => parseDuration(Number.NaN)).toThrow(Error);
    expect(() => parseDuration("9999999999h")).toThrow(/out of range/);
  });
});

describe("parseSize", () => {
  it("reads sizes with the config parser's suffixes", () => {
    expect(parseSize("512")).toBe(512);
    expect(parseSize("1KB")).toBe(1024);
    expect(parseSize("1k")).toBe(1000);
    expect(parseSize("64MB")).toBe(64 * 2 ** 20);
    expect(parseSize("1G")).toBe(1e9);
    expect(parseSize("1GiB")).toBe(2 ** 30);
    expect(parseSize("2tb")).toBe(2 * 2 ** 40);
    expect(parseSize("-1")).toBe(-1);
    expect(parseSize(" 4 KB ")).toBe(4096);
  });

  it("passes integers through", () => {
    expect(parseSize(1024)).toBe(1024);
  });

  it("rejects anything else", () => {
    for (const bad of ["", "KB", "1.5MB", "1XB", "1kbb", "ten", "8EB"]) {
      expect(() => parseSize(bad), bad).toThrow(Error);
    }
    expect(() => parseSize(1.5)).toThrow(Error);
  });
});

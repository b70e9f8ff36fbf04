import { ValueError } from "./errors.js";

const K = 1000n;
const KI = 1024n;

/**
 * Size suffixes, lower-cased, as nats-server's config parser reads them:
 * a bare letter is a power of 1000 (1k = 1000, 1g = 10^9), and a letter with
 * b, i or ib is a power of 1024 (1kb = 1ki = 1kib = 1024).
 */
const MULTIPLIERS: ReadonlyMap<string, bigint> = new Map<string, bigint>([
  ["", 1n],
  ...powers("k", 1),
  ...powers("m", 2),
  ...powers("g", 3),
  ...powers("t", 4),
  ...powers("p", 5),
  ...powers("e", 6),
]);

function powers(letter: string, exponent: number): [string, bigint][] {
  const binary = KI ** BigInt(exponent);
  return [
    [letter, K ** BigInt(exponent)],
    [`${letter}b`, binary],
    [`${letter}i`, binary],
    [`${letter}ib`, binary],
  ];
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Reads an integer with an optional size suffix ("64MB", "-1", "1k").
 * nats-server keeps integers as 64-bit; values outside that range are errors
 * (nats-server itself silently wraps a suffix product such as 8EB to a
 * negative number). Magnitudes above 2^53 lose precision as JS numbers.
 */
export function integerWithSuffix(text: string): number {
  const trimmed = text.trim();
  const match = /^(-?[0-9]+)\s*([a-zA-Z]*)$/.exec(trimmed);
  if (match === null) throw new ValueError(`expected an integer, but got '${text}'`);
  const digits = BigInt(match[1]);
  if (digits < INT64_MIN || digits > INT64_MAX) throw new ValueError(`integer '${text}' is out of range`);
  const suffix = match[2];
  const multiplier = MULTIPLIERS.get(suffix.toLowerCase());
  if (multiplier === undefined) {
    throw new ValueError(`unknown size suffix '${suffix}' in '${text}' (use k, kb, ki, kib, m, mb, ..., e, eb)`);
  }
  const product = digits * multiplier;
  if (product < INT64_MIN || product > INT64_MAX) throw new ValueError(`integer '${text}' is out of range`);
  return Number(product);
}

/**
 * Bytes for a size written as in a config file: a number, or a string such as
 * "512", "1KB", "64MB", "1G" (same suffixes as the config parser, so "1G" is
 * 10^9 and "1GB" is 2^30). Throws an Error on anything else.
 */
export function parseSize(value: string | number): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error(`invalid size ${value}: must be an integer number of bytes`);
    return value;
  }
  try {
    return integerWithSuffix(value);
  } catch (err) {
    throw new Error(`invalid size: ${(err as Error).message}`);
  }
}

import { describe, expect, it } from "vitest";
import { subjectIsSubsetMatch, subjectMatches, subjectsCollide } from "../src/index.js";
import { allLiterals, randomFilter, rng } from "./helpers.js";

describe("subjectIsSubsetMatch", () => {
  // Mostly nats-server's TestSubjectIsSubsetMatch cases.
  it.each<[string, string, boolean]>([
    ["foo.bar", "foo.bar", true],
    ["foo.bar", "foo.*", true],
    ["foo.bar", "foo.>", true],
    ["foo.bar", ">", true],
    ["foo.bar", "*.*", true],
    ["foo.bar", "*.bar", true],
    ["foo.bar", "foo.baz", false],
    ["foo.bar", "foo", false],
    ["foo.bar", "foo.bar.baz", false],
    ["foo.*", ">", true],
    ["foo.*", "*.*", true],
    ["foo.*", "foo.*", true],
    ["foo.*", "foo.>", true],
    ["foo.*", "foo.bar", false],
    ["foo.*", "*.bar", false],
    ["foo.*", "*", false],
    ["foo.>", ">", true],
    ["foo.>", "foo.>", true],
    ["foo.>", "*.>", true],
    ["foo.>", "foo.*", false],
    ["foo.>", "foo.bar.>", false],
    ["foo.>", "foo.*.>", false],
    ["foo.bar.>", "foo.>", true],
    ["foo.bar.>", "foo.*.>", true],
    ["*.>", ">", true],
    ["*.>", "foo.>", false],
    [">", ">", true],
    [">", "*.>", false],
    [">", "*", false],
    ["*", ">", true],
    ["*", "*", true],
    ["*", "foo", false],
    ["*.*", "*.>", true],
    ["*.*", "*", false],
    // Tokens holding wildcard characters are literals (nats-server's byte test would say true here).
    ["foo.bar", "foo.*x", false],
    ["foo.*x", "foo.*", true],
    ["foo.*x", "foo.*x", true],
    ["foo.>x", "foo.>", true],
    ["foo.bar", "foo.>x", false],
    ["", ">", false],
    ["foo", "", false],
  ])("%j within %j -> %s", (subject, filter, expected) => {
    expect(subjectIsSubsetMatch(subject, filter)).toBe(expected);
  });
});

describe("subjectsCollide", () => {
  // Mostly nats-server's TestSubjectsCollide cases.
  it.each<[string, string, boolean]>([
    ["foo.*", "foo.*.bar.>", false],
    ["foo.*.bar.>", "foo.*", false],
    ["foo.*", "foo.foo", true],
    ["foo.*", "*.foo", true],
    ["foo.bar.>", "*.bar.foo", true],
    ["foo.*", "foo.*", true],
    ["foo.*", "foo.>", true],
    ["foo.>", "foo.*", true],
    ["foo.*", ">", true],
    [">", "foo.*", true],
    ["foo.bar", "foo.bar", true],
    ["foo.bar", "foo.baz", false],
    ["foo.bar", "foo", false],
    ["foo", "foo.>", false],
    ["foo.>", "foo", false],
    ["foo.>", "bar.>", false],
    ["*", "foo.>", false],
    ["foo.>", "*", false],
    ["*", "*.>", false],
    ["*.*", "foo.>", true],
    ["*.*.*", "foo.>", true],
    ["*.*.*", "foo.*", false],
    ["a.*.c", "*.b.*", true],
    ["a.*.c", "*.b.d", false],
    ["a.>", "*.b.>", true],
    ["a.>", "b.*.>", false],
    [">", ">", true],
    [">", "foo", true],
    // Tokens holding wildcard characters are literals (nats-server's byte test would say true here).
    ["*x.>", "y.>", false],
    ["*x.>", "*.>", true],
    ["foo.*x", "foo.*y", false],
    ["foo.>x", "foo.bar", false],
  ])("%j vs %j -> %s", (a, b, expected) => {
    expect(subjectsCollide(a, b)).toBe(expected);
    expect(subjectsCollide(b, a)).toBe(expected);
  });
});

describe("subset and collide agree with brute force", () => {
  // Patterns use tokens a and b; literals also use c, which stands for "any token no pattern names". A
  // counterexample to either relation needs at most one token more than the longer pattern.
  const maxTokens = 4;
  const literals = allLiterals(["a", "b", "c"], maxTokens + 1);
  const rand = rng(0x5eed);
  const patterns: string[] = [];
  for (let i = 0; i < 150; i++) patterns.push(randomFilter(rand, ["a", "b"], maxTokens));
  const matched = new Map(patterns.map((p) => [p, literals.filter((l) => subjectMatches(l, p))]));

  it("subjectIsSubsetMatch", () => {
    for (const x of patterns) {
      const xs = matched.get(x)!;
      for (const y of patterns) {
        const expected = xs.every((l) => subjectMatches(l, y));
        if (subjectIsSubsetMatch(x, y) !== expected) {
          expect.fail(`subjectIsSubsetMatch(${x}, ${y}) should be ${expected}`);
        }
      }
    }
  });

  it("subjectsCollide", () => {
    for (const x of patterns) {
      const xs = matched.get(x)!;
      for (const y of patterns) {
        const expected = xs.some((l) => subjectMatches(l, y));
        if (subjectsCollide(x, y) !== expected) expect.fail(`subjectsCollide(${x}, ${y}) should be ${expected}`);
      }
    }
  });

  it("with a literal on one side, both reduce to subjectMatches", () => {
    for (const l of literals) {
      for (const p of patterns) {
        const m = subjectMatches(l, p);
        if (subjectIsSubsetMatch(l, p) !== m || subjectsCollide(l, p) !== m || subjectsCollide(p, l) !== m) {
          expect.fail(`${l} vs ${p}: subjectMatches says ${m}`);
        }
      }
    }
  });
});

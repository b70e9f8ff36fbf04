import { describe, expect, it } from "vitest";
import { Sublist, type MatchResult, type Subscription } from "../src/index.js";

interface Sub extends Subscription {
  readonly id: string;
}

let nextId = 0;
function sub(subject: string, queue?: string): Sub {
  return { subject, queue, id: `${subject}${queue === undefined ? "" : ` ${queue}`}#${nextId++}` };
}

/** Result as sorted ids, so assertions do not depend on trie walk order. */
function ids(r: MatchResult<Sub>): { psubs: string[]; qsubs: Record<string, string[]> } {
  const qsubs: Record<string, string[]> = {};
  for (const group of r.qsubs) {
    const name = group[0].queue!;
    expect(qsubs[name], `queue group ${name} appears twice`).toBeUndefined();
    qsubs[name] = group.map((s) => s.id).sort();
  }
  return { psubs: r.psubs.map((s) => s.id).sort(), qsubs };
}

function plain(...subs: Sub[]): { psubs: string[]; qsubs: Record<string, string[]> } {
  return { psubs: subs.map((s) => s.id).sort(), qsubs: {} };
}

// Like nats-server's sublist_test.go, every index test runs with and without the match cache.
describe.each([
  ["cache", true],
  ["no cache", false],
])("Sublist (%s)", (_name, cache) => {
  const make = () => new Sublist<Sub>({ cache });

  it("matchSibling answers replies from the prefix's entry, and follows changes to the index", () => {
    const s = make();
    const inbox = sub("_INBOX.abc.*");
    s.insert(inbox);
    expect(ids(s.matchSibling("_INBOX.abc.1"))).toEqual(plain(inbox));
    expect(ids(s.matchSibling("_INBOX.abc.2"))).toEqual(plain(inbox));
    expect(ids(s.matchSibling("_INBOX.abc.2.deeper"))).toEqual(plain());
    expect(ids(s.matchSibling("_INBOX.abcd.2"))).toEqual(plain());
    const literal = sub("_INBOX.abc.3");
    s.insert(literal);
    expect(ids(s.matchSibling("_INBOX.abc.3"))).toEqual(plain(inbox, literal));
    expect(ids(s.matchSibling("_INBOX.abc.4"))).toEqual(plain(inbox));
    s.remove(inbox);
    expect(ids(s.matchSibling("_INBOX.abc.5"))).toEqual(plain());
    expect(ids(s.matchSibling("single"))).toEqual(plain());
  });

  it("matchSibling tells apart prefixes of the same length, and siblings from deeper or shorter subjects", () => {
    const s = make();
    const abc = sub("_INBOX.abc.*");
    const abd = sub("_INBOX.abd.*");
    s.insert(abc);
    s.insert(abd);
    for (let i = 0; i < 3; i++) {
      expect(ids(s.matchSibling(`_INBOX.abc.${i}`))).toEqual(plain(abc));
      expect(ids(s.matchSibling(`_INBOX.abc.${i}0`))).toEqual(plain(abc));
      expect(ids(s.matchSibling(`_INBOX.abd.${i}`))).toEqual(plain(abd));
      expect(ids(s.matchSibling(`_INBOX.abd.${i}.x`))).toEqual(plain());
      expect(ids(s.matchSibling(`_INBOX.xbd.${i}`))).toEqual(plain());
      expect(ids(s.matchSibling("_INBOX.abd"))).toEqual(plain());
    }
  });

  it("tells when a subject's last token does not change its match (lastTokenFree)", () => {
    const s = make();
    s.insert(sub("_INBOX.abc.*"));
    expect(s.lastTokenFree("_INBOX.abc.7")).toBe(true);
    s.insert(sub(">"));
    s.insert(sub("_INBOX.*.*"));
    s.insert(sub("*.abc.>"));
    expect(s.lastTokenFree("_INBOX.abc.7")).toBe(true);
    expect(s.lastTokenFree("single")).toBe(false); // no prefix to share
    s.insert(sub("_INBOX.*.8"));
    expect(s.lastTokenFree("_INBOX.abc.7")).toBe(false);
    expect(s.lastTokenFree("_INBOX.other.7")).toBe(false);
    expect(s.lastTokenFree("_INBOX.abc.7.deeper")).toBe(true);
    expect(s.lastTokenFree("_INBOX..7")).toBe(false); // malformed
  });

  it("starts empty", () => {
    const s = make();
    expect(s.count).toBe(0);
    expect(s.all()).toEqual([]);
    expect(s.match("foo")).toEqual({ psubs: [], qsubs: [] });
    expect(s.hasInterest("foo")).toBe(false);
  });

  it("counts inserts", () => {
    const s = make();
    s.insert(sub("foo"));
    s.insert(sub("bar"));
    s.insert(sub("foo.bar"));
    expect(s.count).toBe(3);
  });

  it("matches literals", () => {
    const s = make();
    const a = sub("foo");
    const b = sub("foo.bar");
    const c = sub("foo.bar.baz");
    for (const x of [a, b, c]) s.insert(x);
    expect(ids(s.match("foo"))).toEqual(plain(a));
    expect(ids(s.match("foo.bar"))).toEqual(plain(b));
    expect(ids(s.match("foo.bar.baz"))).toEqual(plain(c));
    expect(ids(s.match("foo.baz"))).toEqual(plain());
    expect(ids(s.match("bar"))).toEqual(plain());
    expect(ids(s.match("foo.bar.baz.qux"))).toEqual(plain());
  });

  it("matches multi-token literals, some sharing prefixes", () => {
    const s = make();
    const a = sub("a.b.c.d.e.f");
    const b = sub("a.b.c.d.e.g");
    s.insert(a);
    s.insert(b);
    expect(ids(s.match("a.b.c.d.e.f"))).toEqual(plain(a));
    expect(ids(s.match("a.b.c.d.e.g"))).toEqual(plain(b));
    expect(ids(s.match("a.b.c.d.e"))).toEqual(plain());
  });

  it("matches several subscriptions on one subject", () => {
    const s = make();
    const subs = [sub("foo"), sub("foo"), sub("foo")];
    for (const x of subs) s.insert(x);
    expect(ids(s.match("foo"))).toEqual(plain(...subs));
  });

  it("matches partial wildcards", () => {
    const s = make();
    const lit = sub("a.b.c");
    const p1 = sub("a.*.c");
    const p2 = sub("*.b.c");
    const p3 = sub("a.b.*");
    const p4 = sub("*.*.*");
    const p5 = sub("*");
    for (const x of [lit, p1, p2, p3, p4, p5]) s.insert(x);
    expect(ids(s.match("a.b.c"))).toEqual(plain(lit, p1, p2, p3, p4));
    expect(ids(s.match("a.x.c"))).toEqual(plain(p1, p4));
    expect(ids(s.match("x.b.c"))).toEqual(plain(p2, p4));
    expect(ids(s.match("a.b.x"))).toEqual(plain(p3, p4));
    expect(ids(s.match("x.y.z"))).toEqual(plain(p4));
    expect(ids(s.match("a"))).toEqual(plain(p5));
    expect(ids(s.match("a.b"))).toEqual(plain());
    expect(ids(s.match("a.b.c.d"))).toEqual(plain());
  });

  it("matches a partial wildcard at the end", () => {
    const s = make();
    const lit = sub("a.b.c");
    const p = sub("a.b.*");
    s.insert(lit);
    s.insert(p);
    expect(ids(s.match("a.b.c"))).toEqual(plain(lit, p));
    expect(ids(s.match("a.b.d"))).toEqual(plain(p));
    expect(ids(s.match("a.b"))).toEqual(plain());
  });

  it("matches full wildcards", () => {
    const s = make();
    const lit = sub("a.b.c");
    const f1 = sub("a.>");
    const f2 = sub(">");
    const f3 = sub("a.b.>");
    for (const x of [lit, f1, f2, f3]) s.insert(x);
    expect(ids(s.match("a.b.c"))).toEqual(plain(lit, f1, f2, f3));
    expect(ids(s.match("a.b"))).toEqual(plain(f1, f2));
    expect(ids(s.match("a"))).toEqual(plain(f2));
    expect(ids(s.match("a.b.c.d.e"))).toEqual(plain(f1, f2, f3));
    expect(ids(s.match("b.c"))).toEqual(plain(f2));
  });

  it("matches mixed wildcards", () => {
    const s = make();
    const m1 = sub("*.b.>");
    const m2 = sub("a.*.>");
    const m3 = sub("*.*.c");
    const m4 = sub("a.*.*.>");
    for (const x of [m1, m2, m3, m4]) s.insert(x);
    expect(ids(s.match("a.b.c"))).toEqual(plain(m1, m2, m3));
    expect(ids(s.match("a.b.c.d"))).toEqual(plain(m1, m2, m4));
    expect(ids(s.match("x.b"))).toEqual(plain());
    expect(ids(s.match("x.b.y"))).toEqual(plain(m1));
    expect(ids(s.match("a.x"))).toEqual(plain());
  });

  it("matches one-token subscriptions only against one-token subjects", () => {
    // nats-server TestSublistTwoTokenPubMatchSingleTokenSub
    const s = make();
    const a = sub("foo");
    s.insert(a);
    expect(ids(s.match("foo"))).toEqual(plain(a));
    expect(ids(s.match("foo.bar"))).toEqual(plain());
  });

  it("treats tokens containing wildcard characters as literals", () => {
    const s = make();
    const star = sub("foo.*-");
    const gt = sub("foo.>-");
    const inner = sub("foo.a*b");
    for (const x of [star, gt, inner]) s.insert(x);
    expect(ids(s.match("foo.bar"))).toEqual(plain());
    expect(ids(s.match("foo.bar.baz"))).toEqual(plain());
    expect(ids(s.match("foo.*-"))).toEqual(plain(star));
    expect(ids(s.match("foo.>-"))).toEqual(plain(gt));
    expect(ids(s.match("foo.a*b"))).toEqual(plain(inner));
    expect(s.remove(star)).toBe(true);
    expect(s.remove(gt)).toBe(true);
    expect(s.remove(inner)).toBe(true);
    expect(s.count).toBe(0);
  });

  it("matches nothing for subjects with empty tokens", () => {
    const s = make();
    s.insert(sub(">"));
    s.insert(sub("foo.*.bar"));
    for (const bad of ["", ".", "foo..bar", ".foo", "foo.", "foo.bar."]) {
      expect(s.match(bad)).toEqual({ psubs: [], qsubs: [] });
      expect(s.hasInterest(bad)).toBe(false);
    }
    expect(s.stats().cacheEntries).toBe(0);
  });

  it("matchOnce: the same result as match, without filling the cache", () => {
    const s = new Sublist<Sub>();
    const a = sub("$JS.ACK.>");
    const b = sub("$JS.ACK.S.C.*.*.*.*.*");
    s.insert(a);
    s.insert(b);
    const subject = "$JS.ACK.S.C.1.2.3.4.5";
    expect(ids(s.matchOnce(subject))).toEqual(ids(s.match("$JS.ACK.S.C.1.2.3.4.6")));
    expect(ids(s.matchOnce(subject)).psubs).toEqual([a.id, b.id].sort());
    const before = s.stats().cacheEntries;
    s.matchOnce("$JS.ACK.S.C.9.9.9.9.9");
    expect(s.stats().cacheEntries).toBe(before);
    expect(ids(s.matchOnce("$JS.ACK."))).toEqual({ psubs: [], qsubs: {} });
  });

  it("refuses invalid subjects on insert", () => {
    const s = make();
    const invalid = ["", ".", "foo..bar", ".foo", "foo.", "foo.>.bar", ">.foo", "a.>.b"];
    invalid.push("foo bar", "foo\tbar", "foo.\r", "foo\n");
    for (const bad of invalid) {
      expect(() => s.insert(sub(bad)), JSON.stringify(bad)).toThrow(/invalid subject/);
    }
    expect(() => s.insert(sub("foo", ""))).toThrow(/queue/);
    expect(s.count).toBe(0);
    expect(s.stats().inserts).toBe(0);
  });

  it("removes subscriptions by identity", () => {
    const s = make();
    const a = sub("foo");
    const b = sub("foo");
    s.insert(a);
    s.insert(b);
    expect(s.remove(a)).toBe(true);
    expect(s.count).toBe(1);
    expect(ids(s.match("foo"))).toEqual(plain(b));
    expect(s.remove(a)).toBe(false);
    // Same subject, different object: not in the index.
    expect(s.remove({ ...b })).toBe(false);
    expect(s.remove(b)).toBe(true);
    expect(s.count).toBe(0);
    expect(ids(s.match("foo"))).toEqual(plain());
  });

  it("removes wildcard subscriptions", () => {
    const s = make();
    const subs = [sub("a.b.c.d"), sub("a.*.c.d"), sub("a.>"), sub("*.*.*.*"), sub(">")];
    for (const x of subs) s.insert(x);
    expect(s.match("a.b.c.d").psubs).toHaveLength(5);
    for (let i = 0; i < subs.length; i++) {
      expect(s.remove(subs[i])).toBe(true);
      expect(ids(s.match("a.b.c.d"))).toEqual(plain(...subs.slice(i + 1)));
    }
    expect(s.count).toBe(0);
  });

  it("returns false when removing what is not there", () => {
    const s = make();
    s.insert(sub("a.b"));
    expect(s.remove(sub("a.b"))).toBe(false);
    expect(s.remove(sub("a"))).toBe(false);
    expect(s.remove(sub("a.b.c"))).toBe(false);
    expect(s.remove(sub("a.*"))).toBe(false);
    expect(s.remove(sub(""))).toBe(false);
    expect(s.remove(sub("a..b"))).toBe(false);
    expect(s.remove(sub("a.b", "q"))).toBe(false);
    expect(s.count).toBe(1);
    expect(s.stats().removes).toBe(0);
  });

  it("prunes emptied trie nodes", () => {
    const s = make();
    const subs = [sub("a.b.c"), sub("a.b.*"), sub("a.>"), sub("x.y", "q"), sub("*.y.>")];
    for (const x of subs) s.insert(x);
    for (const x of subs) s.remove(x);
    // Internal check: nothing is left hanging off the root once everything is removed.
    const root = (s as unknown as { root: { nodes: unknown; pwc: unknown; fwc: unknown } }).root;
    expect(root.nodes).toBeNull();
    expect(root.pwc).toBeNull();
    expect(root.fwc).toBeNull();
  });

  it("ignores a second insert of the same object", () => {
    const s = make();
    const a = sub("foo");
    s.insert(a);
    s.insert(a);
    expect(s.count).toBe(1);
    expect(s.match("foo").psubs).toEqual([a]);
    expect(s.remove(a)).toBe(true);
    expect(s.count).toBe(0);
  });

  it("removes batches", () => {
    const s = make();
    const keep = sub("foo.bar");
    const gone = [sub("foo.*"), sub("foo.>"), sub("foo.bar", "q"), sub("foo.bar")];
    s.insert(keep);
    for (const x of gone) s.insert(x);
    expect(s.match("foo.bar").psubs).toHaveLength(4);
    s.removeBatch(gone);
    expect(s.count).toBe(1);
    expect(ids(s.match("foo.bar"))).toEqual(plain(keep));
    // Already-removed members are skipped.
    s.removeBatch(new Set([...gone, keep]));
    expect(s.count).toBe(0);
  });

  it("handles many subscriptions on one node", () => {
    const s = make();
    const subs = Array.from({ length: 1000 }, () => sub("foo.bar"));
    for (const x of subs) s.insert(x);
    expect(s.match("foo.bar").psubs).toHaveLength(1000);
    for (let i = 0; i < 500; i++) s.remove(subs[i * 2]);
    expect(ids(s.match("foo.bar"))).toEqual(plain(...subs.filter((_, i) => i % 2 === 1)));
  });

  describe("queue groups", () => {
    it("groups queue subscriptions by name", () => {
      const s = make();
      const p = sub("foo");
      const b1 = sub("foo", "bar");
      const b2 = sub("foo", "bar");
      const z1 = sub("foo", "baz");
      for (const x of [p, b1, b2, z1]) s.insert(x);
      expect(ids(s.match("foo"))).toEqual({ psubs: [p.id], qsubs: { bar: [b1.id, b2.id].sort(), baz: [z1.id] } });
    });

    it("merges groups of one name found under different nodes", () => {
      const s = make();
      const q1 = sub("foo.bar", "workers");
      const q2 = sub("foo.*", "workers");
      const q3 = sub("foo.>", "workers");
      const q4 = sub(">", "workers");
      const other = sub("foo.*", "others");
      for (const x of [q1, q2, q3, q4, other]) s.insert(x);
      const r = s.match("foo.bar");
      expect(r.qsubs).toHaveLength(2);
      expect(ids(r).qsubs).toEqual({ workers: [q1.id, q2.id, q3.id, q4.id].sort(), others: [other.id] });
      expect(ids(s.match("foo.baz")).qsubs).toEqual({ workers: [q2.id, q3.id, q4.id].sort(), others: [other.id] });
      expect(ids(s.match("foo.baz.qux")).qsubs).toEqual({ workers: [q3.id, q4.id].sort() });
    });

    it("keeps queue subscriptions apart from plain ones on the same subject", () => {
      const s = make();
      const p = sub("foo.*");
      const q = sub("foo.*", "q");
      s.insert(p);
      s.insert(q);
      expect(ids(s.match("foo.x"))).toEqual({ psubs: [p.id], qsubs: { q: [q.id] } });
      expect(s.remove(p)).toBe(true);
      expect(ids(s.match("foo.x"))).toEqual({ psubs: [], qsubs: { q: [q.id] } });
      expect(s.hasInterest("foo.x")).toBe(true);
    });

    it("removes queue subscriptions and drops emptied groups", () => {
      const s = make();
      const b1 = sub("foo", "bar");
      const b2 = sub("foo", "bar");
      const z1 = sub("foo", "baz");
      for (const x of [b1, b2, z1]) s.insert(x);
      expect(s.remove(b1)).toBe(true);
      expect(ids(s.match("foo")).qsubs).toEqual({ bar: [b2.id], baz: [z1.id] });
      expect(s.remove(b2)).toBe(true);
      expect(ids(s.match("foo")).qsubs).toEqual({ baz: [z1.id] });
      // A queue sub is removed only under its own group.
      expect(s.remove({ ...z1, queue: "bar" } as Sub)).toBe(false);
      expect(s.remove(z1)).toBe(true);
      expect(s.match("foo")).toEqual({ psubs: [], qsubs: [] });
      expect(s.hasInterest("foo")).toBe(false);
      expect(s.count).toBe(0);
    });
  });

  it("answers hasInterest", () => {
    const s = make();
    const subs = [sub("foo.bar"), sub("a.*.c"), sub("x.>"), sub("q.q", "g")];
    for (const x of subs) s.insert(x);
    const yes = ["foo.bar", "a.b.c", "a.zz.c", "x.y", "x.y.z", "q.q"];
    const no = ["foo", "foo.baz", "foo.bar.baz", "a.b", "a.b.c.d", "x", "q", "q.q.q", "zzz"];
    for (const subject of yes) expect(s.hasInterest(subject), subject).toBe(true);
    for (const subject of no) expect(s.hasInterest(subject), subject).toBe(false);
    // Same answers once results are cached.
    for (const subject of [...yes, ...no]) s.match(subject);
    for (const subject of yes) expect(s.hasInterest(subject), subject).toBe(true);
    for (const subject of no) expect(s.hasInterest(subject), subject).toBe(false);
    for (const x of subs) s.remove(x);
    for (const subject of yes) expect(s.hasInterest(subject), subject).toBe(false);
  });

  it("ignores intermediate nodes with no subscriptions for hasInterest", () => {
    const s = make();
    s.insert(sub("a.b.c"));
    s.insert(sub("*.b.c"));
    s.insert(sub("x.>"));
    expect(s.hasInterest("a.b")).toBe(false);
    expect(s.hasInterest("a")).toBe(false);
    expect(s.hasInterest("z.b")).toBe(false);
    expect(s.hasInterest("x")).toBe(false);
  });

  it("returns every subscription from all()", () => {
    const s = make();
    const subs = [sub("a"), sub("a.b"), sub("a.*"), sub("a.>"), sub(">"), sub("*"), sub("a.b", "q"), sub("a.b", "r")];
    for (const x of subs) s.insert(x);
    expect(s.all().map((x) => x.id).sort()).toEqual(subs.map((x) => x.id).sort());
  });

  it("keeps stats", () => {
    const s = make();
    const a = sub("foo");
    const b = sub("bar.*");
    s.insert(a);
    s.insert(b);
    s.match("foo");
    s.match("foo");
    s.match("bar.x");
    s.remove(a);
    const st = s.stats();
    expect(st).toEqual({
      count: 1,
      cacheEntries: 0, // the remove invalidated the cached results
      matches: 3,
      cacheHits: cache ? 1 : 0,
      inserts: 2,
      removes: 1,
    });
    s.match("foo");
    s.match("bar.y");
    expect(s.stats().cacheEntries).toBe(cache ? 2 : 0);
  });
});

describe("Sublist match cache", () => {
  it("serves repeated matches from the cache", () => {
    const s = new Sublist<Sub>();
    const a = sub("foo.*");
    s.insert(a);
    const first = s.match("foo.bar");
    const second = s.match("foo.bar");
    expect(second).toBe(first);
    expect(s.stats()).toMatchObject({ matches: 2, cacheHits: 1, cacheEntries: 1 });
  });

  it("does not cache when disabled", () => {
    const s = new Sublist<Sub>({ cache: false });
    s.insert(sub("foo"));
    s.match("foo");
    s.match("foo");
    expect(s.stats()).toMatchObject({ matches: 2, cacheHits: 0, cacheEntries: 0 });
  });

  it("invalidates cached results on insert", () => {
    const s = new Sublist<Sub>();
    const a = sub("foo.bar");
    s.insert(a);
    expect(ids(s.match("foo.bar"))).toEqual(plain(a));
    const b = sub("foo.*");
    s.insert(b);
    expect(ids(s.match("foo.bar"))).toEqual(plain(a, b));
    const c = sub(">", "q");
    s.insert(c);
    expect(ids(s.match("foo.bar"))).toEqual({ psubs: [a.id, b.id].sort(), qsubs: { q: [c.id] } });
    // An insert that matches nothing cached still leaves the results exact.
    s.insert(sub("other"));
    expect(ids(s.match("foo.bar"))).toEqual({ psubs: [a.id, b.id].sort(), qsubs: { q: [c.id] } });
  });

  it("invalidates cached results on remove", () => {
    const s = new Sublist<Sub>();
    const a = sub("foo.bar");
    const b = sub("foo.>");
    const q = sub("foo.bar", "q");
    for (const x of [a, b, q]) s.insert(x);
    expect(s.match("foo.bar").psubs).toHaveLength(2);
    s.remove(b);
    expect(ids(s.match("foo.bar"))).toEqual({ psubs: [a.id], qsubs: { q: [q.id] } });
    s.remove(q);
    expect(ids(s.match("foo.bar"))).toEqual(plain(a));
    s.removeBatch([a]);
    expect(s.match("foo.bar")).toEqual({ psubs: [], qsubs: [] });
    expect(s.hasInterest("foo.bar")).toBe(false);
  });

  it("caches empty results", () => {
    const s = new Sublist<Sub>();
    s.match("nothing.here");
    s.match("nothing.here");
    expect(s.stats()).toMatchObject({ cacheHits: 1, cacheEntries: 1 });
    const a = sub("nothing.>");
    s.insert(a);
    expect(ids(s.match("nothing.here"))).toEqual(plain(a));
  });

  it("stays within its size bound, evicting the oldest entries", () => {
    const s = new Sublist<Sub>({ cacheSize: 8 });
    s.insert(sub(">"));
    for (let i = 0; i < 20; i++) s.match(`s.${i}`);
    expect(s.stats().cacheEntries).toBe(8);
    const hits = s.stats().cacheHits;
    s.match("s.19"); // newest: still cached
    expect(s.stats().cacheHits).toBe(hits + 1);
    s.match("s.0"); // oldest: evicted long ago
    expect(s.stats().cacheHits).toBe(hits + 1);
    expect(s.stats().cacheEntries).toBe(8);
  });

  it("defaults to 1024 entries", () => {
    const s = new Sublist<Sub>();
    s.insert(sub(">"));
    // All misses, but the hit-rate policy does not judge the first window of a fresh (cold) cache.
    for (let i = 0; i < 1100; i++) s.match(`t.${i}`);
    expect(s.stats().cacheEntries).toBe(1024);
  });

  it("refuses a bad cacheSize", () => {
    expect(() => new Sublist({ cacheSize: 0 })).toThrow(RangeError);
    expect(() => new Sublist({ cacheSize: 1.5 })).toThrow(RangeError);
  });
});

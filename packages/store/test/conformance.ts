/**
 * The StreamStore conformance suite: every implementation runs exactly this (memory.test.ts, lmdb.test.ts).
 *
 * The factory makes a fresh, empty store. `checkpoint()` is called after writes: an implementation can use
 * it to move what was written to where it is read from (LMDB: commit, or close and reopen from disk), so the
 * same assertions cover every path; it returns the store to use from then on.
 */
import { afterEach, describe, expect, it } from "vitest";
import { messageSize, type StorageKind, type StoredMessage, type StreamStore } from "../src/index.js";

export interface StoreHarness {
  store: StreamStore;
  checkpoint(): StreamStore;
  cleanup(): void;
}

export interface ConformanceOptions {
  /** How the store counts bytes. */
  kind: StorageKind;
  make(): StoreHarness;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : new TextDecoder().decode(b));
const HDR = enc("NATS/1.0\r\nX-Test: yes\r\n\r\n");

/** Messages as plain values, to compare across stores and reopenings. */
export function plain(m: StoredMessage | undefined):
  | { seq: number; subject: string; time: bigint; headers: string | undefined; data: string }
  | undefined {
  if (!m) return undefined;
  return {
    seq: m.seq,
    subject: m.subject,
    time: m.time,
    headers: m.headers === undefined ? undefined : Buffer.from(m.headers).toString("hex"),
    data: Buffer.from(m.data).toString("hex"),
  };
}

/** Every stored message, in order, through `next`. */
export function allMessages(s: StreamStore): ReturnType<typeof plain>[] {
  const out: ReturnType<typeof plain>[] = [];
  for (let m = s.next(0); m; m = s.next(m.seq + 1)) out.push(plain(m));
  return out;
}

export function defineStreamStoreConformance(name: string, opts: ConformanceOptions): void {
  describe(`StreamStore conformance: ${name}`, () => {
    let h: StoreHarness | undefined;
    const fresh = (): StoreHarness => (h = opts.make());
    afterEach(() => {
      h?.cleanup();
      h = undefined;
    });
    const size = (subject: string, headers: Uint8Array | undefined, data: Uint8Array): number =>
      messageSize(subject, headers, data, opts.kind);

    /** Appends `data` strings on subjects; time = 1000 + seq. */
    function fill(s: StreamStore, subjects: string[]): void {
      for (const subject of subjects) {
        const seq = s.state().lastSeq + 1;
        s.append(subject, undefined, enc(`${subject}#${seq}`), BigInt(1000 + seq));
      }
    }

    it("starts empty", () => {
      const s = fresh().store;
      expect(s.state()).toEqual({
        messages: 0,
        bytes: 0,
        firstSeq: 1,
        firstTime: 0n,
        lastSeq: 0,
        lastTime: 0n,
        numDeleted: 0,
        numSubjects: 0,
      });
      expect(s.get(1)).toBeUndefined();
      expect(s.next(0)).toBeUndefined();
      expect(s.last(">")).toBeUndefined();
      expect(s.last("a")).toBeUndefined();
      expect(s.deleted()).toEqual([]);
      expect(s.count(0)).toBe(0);
      expect(s.subjects().size).toBe(0);
      expect(s.purge()).toBe(0);
      expect(s.remove(1)).toBe(false);
    });

    it("appends with increasing sequences and reads them back", () => {
      let s = fresh().store;
      const m1 = s.append("orders.new", undefined, enc("one"), 111n);
      const m2 = s.append("orders.paid", HDR, enc("two"), 222n);
      expect(m1.seq).toBe(1);
      expect(m2.seq).toBe(2);
      expect(m1.subject).toBe("orders.new");
      expect(text(m2.headers)).toBe(text(HDR));
      expect(text(m2.data)).toBe("two");
      s = h!.checkpoint();
      const g1 = s.get(1)!;
      expect(g1.subject).toBe("orders.new");
      expect(g1.time).toBe(111n);
      expect(g1.headers).toBeUndefined();
      expect(text(g1.data)).toBe("one");
      const g2 = s.get(2)!;
      expect(text(g2.headers)).toBe(text(HDR));
      expect(text(g2.data)).toBe("two");
      expect(g2.time).toBe(222n);
      expect(s.get(0)).toBeUndefined();
      expect(s.get(3)).toBeUndefined();
      expect(s.get(-1)).toBeUndefined();
      expect(s.get(1.5)).toBeUndefined();
      expect(s.state()).toMatchObject({ messages: 2, firstSeq: 1, lastSeq: 2, firstTime: 111n, lastTime: 222n, numSubjects: 2 });
    });

    it("keeps its own copy of what was appended", () => {
      let s = fresh().store;
      const data = Buffer.from("original");
      const hdr = Buffer.from(HDR);
      s.append("a", hdr, data, 1n);
      data.fill(0x7a);
      hdr.fill(0x7a);
      expect(text(s.get(1)!.data)).toBe("original");
      s = h!.checkpoint();
      expect(text(s.get(1)!.data)).toBe("original");
      expect(text(s.get(1)!.headers)).toBe(text(HDR));
    });

    it("round-trips headers, empty payloads and empty header blocks", () => {
      let s = fresh().store;
      s.append("a", HDR, new Uint8Array(0), 1n);
      s.append("b", undefined, new Uint8Array(0), 2n);
      s.append("c", new Uint8Array(0), enc("x"), 3n);
      const big = enc("NATS/1.0\r\n" + "X-Big: " + "h".repeat(5000) + "\r\n\r\n");
      s.append("d", big, enc("y"), 4n);
      s = h!.checkpoint();
      expect(text(s.get(1)!.headers)).toBe(text(HDR));
      expect(s.get(1)!.data.length).toBe(0);
      expect(s.get(2)!.headers).toBeUndefined();
      expect(s.get(2)!.data.length).toBe(0);
      // An empty header block is no header block.
      expect(s.get(3)!.headers).toBeUndefined();
      expect(text(s.get(3)!.data)).toBe("x");
      expect(text(s.get(4)!.headers)).toBe(text(big));
      expect(s.state().bytes).toBe(
        size("a", HDR, new Uint8Array(0)) + size("b", undefined, new Uint8Array(0)) + size("c", undefined, enc("x")) + size("d", big, enc("y")),
      );
    });

    it("round-trips large payloads (multi-MB)", () => {
      let s = fresh().store;
      const big = Buffer.alloc(5 * 1024 * 1024 + 17);
      for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
      big[big.length - 1] = 0xee;
      s.append("big", undefined, big, 1n);
      s.append("small", undefined, enc("s"), 2n);
      s.append("big", HDR, big.subarray(0, 3 * 1024 * 1024), 3n);
      s = h!.checkpoint();
      expect(Buffer.from(s.get(1)!.data).equals(big)).toBe(true);
      expect(Buffer.from(s.get(3)!.data).equals(big.subarray(0, 3 * 1024 * 1024))).toBe(true);
      expect(s.last("big")!.seq).toBe(3);
      expect(s.state().bytes).toBe(size("big", undefined, big) + size("small", undefined, enc("s")) + size("big", HDR, big.subarray(0, 3 * 1024 * 1024)));
      expect(s.remove(1, true)).toBe(true);
      s = h!.checkpoint();
      expect(s.get(1)).toBeUndefined();
      expect(s.next(0)!.seq).toBe(2);
    });

    it("handles unicode subjects and counts their UTF-8 bytes", () => {
      let s = fresh().store;
      const subjects = ["ünïcødé.ß", "日本.語", "emoji.🎉", "ünïcødé.ß"];
      fill(s, subjects);
      s = h!.checkpoint();
      expect(s.get(3)!.subject).toBe("emoji.🎉");
      expect(s.last("ünïcødé.ß")!.seq).toBe(4);
      expect(s.next(0, "日本.*")!.seq).toBe(2);
      expect(s.subjects()).toEqual(new Map([["ünïcødé.ß", 2], ["日本.語", 1], ["emoji.🎉", 1]]));
      const expected = subjects.map((sub, i) => size(sub, undefined, enc(`${sub}#${i + 1}`))).reduce((a, b) => a + b, 0);
      expect(s.state().bytes).toBe(expected);
      expect(s.count(0, "emoji.>")).toBe(1);
      expect(s.purge({ filter: "ünïcødé.ß" })).toBe(2);
      expect(s.subjects().has("ünïcødé.ß")).toBe(false);
    });

    it("keeps timestamps exactly (ns since the epoch)", () => {
      let s = fresh().store;
      const t1 = 1_700_000_000_123_456_789n;
      const t2 = BigInt(Date.now()) * 1_000_000n + 999_999n;
      s.append("t", undefined, enc("1"), t1);
      s.append("t", undefined, enc("2"), t2);
      s = h!.checkpoint();
      expect(s.get(1)!.time).toBe(t1);
      expect(s.get(2)!.time).toBe(t2);
      expect(s.state().firstTime).toBe(t1);
      expect(s.state().lastTime).toBe(t2);
      s.remove(1);
      expect(s.state().firstTime).toBe(t2);
    });

    it("next: from a sequence, with literal and wildcard filters", () => {
      let s = fresh().store;
      fill(s, ["a.1", "b.1", "a.2", "b.2", "a.1", "c"]);
      s = h!.checkpoint();
      expect(s.next(0)!.seq).toBe(1);
      expect(s.next(-5)!.seq).toBe(1);
      expect(s.next(4)!.seq).toBe(4);
      expect(s.next(7)).toBeUndefined();
      expect(s.next(2, "a.1")!.seq).toBe(5);
      expect(s.next(6, "a.1")).toBeUndefined();
      expect(s.next(0, "a.*")!.seq).toBe(1);
      expect(s.next(2, "a.*")!.seq).toBe(3);
      expect(s.next(4, "a.*")!.seq).toBe(5);
      expect(s.next(0, "*.2")!.seq).toBe(3);
      expect(s.next(0, "b.>")!.seq).toBe(2);
      expect(s.next(5, ">")!.seq).toBe(5);
      expect(s.next(6, "*")!.seq).toBe(6);
      expect(s.next(0, "zzz")).toBeUndefined();
      expect(s.next(0, "a")).toBeUndefined();
      expect(s.next(0, "a.1.x")).toBeUndefined();
      s.remove(1);
      s.remove(5);
      expect(s.next(0, "a.1")).toBeUndefined();
      expect(s.next(0)!.seq).toBe(2);
      expect(text(s.next(3, "a.*")!.data)).toBe("a.2#3");
    });

    it("last: literal, wildcard and everything", () => {
      let s = fresh().store;
      fill(s, ["a.1", "b.1", "a.2", "b.2", "a.1", "c"]);
      s = h!.checkpoint();
      expect(s.last(">")!.seq).toBe(6);
      expect(s.last("a.1")!.seq).toBe(5);
      expect(s.last("a.*")!.seq).toBe(5);
      expect(s.last("*.2")!.seq).toBe(4);
      expect(s.last("b.>")!.seq).toBe(4);
      expect(s.last("x")).toBeUndefined();
      s.remove(6);
      s.remove(5);
      expect(s.last(">")!.seq).toBe(4);
      expect(s.last("a.1")!.seq).toBe(1);
      expect(s.last("c")).toBeUndefined();
      s = h!.checkpoint();
      expect(s.last("a.*")!.seq).toBe(3);
      expect(s.last("a.1")!.seq).toBe(1);
    });

    it("sequences keep increasing after removals and purges", () => {
      let s = fresh().store;
      fill(s, ["a", "b", "c"]);
      expect(s.remove(3)).toBe(true);
      expect(s.state()).toMatchObject({ messages: 2, firstSeq: 1, lastSeq: 3, numDeleted: 1 });
      expect(s.deleted()).toEqual([3]);
      s = h!.checkpoint();
      expect(s.append("d", undefined, enc("d"), 5n).seq).toBe(4);
      expect(s.purge()).toBe(3);
      expect(s.state()).toMatchObject({ messages: 0, bytes: 0, firstSeq: 5, lastSeq: 4, numDeleted: 0, numSubjects: 0, firstTime: 0n });
      expect(s.state().lastTime).toBe(5n);
      s = h!.checkpoint();
      expect(s.state()).toMatchObject({ messages: 0, firstSeq: 5, lastSeq: 4 });
      expect(s.get(4)).toBeUndefined();
      expect(s.append("e", undefined, enc("e"), 6n).seq).toBe(5);
      expect(s.state()).toMatchObject({ messages: 1, firstSeq: 5, lastSeq: 5, firstTime: 6n });
      expect(s.remove(5)).toBe(true);
      expect(s.state()).toMatchObject({ messages: 0, firstSeq: 6, lastSeq: 5, numDeleted: 0 });
      s = h!.checkpoint();
      expect(s.state()).toMatchObject({ messages: 0, firstSeq: 6, lastSeq: 5 });
      expect(s.append("f", undefined, enc("f"), 7n).seq).toBe(6);
    });

    it("remove: once, unknown sequences, first and interior", () => {
      let s = fresh().store;
      fill(s, ["a", "b", "a", "b", "a"]);
      s = h!.checkpoint();
      expect(s.remove(0)).toBe(false);
      expect(s.remove(6)).toBe(false);
      expect(s.remove(3)).toBe(true);
      expect(s.remove(3)).toBe(false);
      expect(s.get(3)).toBeUndefined();
      expect(s.state()).toMatchObject({ messages: 4, firstSeq: 1, numDeleted: 1 });
      expect(s.deleted()).toEqual([3]);
      expect(s.remove(1)).toBe(true);
      expect(s.state()).toMatchObject({ messages: 3, firstSeq: 2, numDeleted: 1, firstTime: 1002n });
      expect(s.remove(2)).toBe(true);
      // 3 was already gone: the first is now 4 and nothing below it counts as deleted.
      expect(s.state()).toMatchObject({ messages: 2, firstSeq: 4, numDeleted: 0 });
      expect(s.deleted()).toEqual([]);
      s = h!.checkpoint();
      expect(s.remove(3)).toBe(false);
      expect(s.state()).toMatchObject({ messages: 2, firstSeq: 4, lastSeq: 5 });
      expect(s.subjects()).toEqual(new Map([["b", 1], ["a", 1]]));
    });

    it("remove with erase: the message is gone and its buffers are not readable", () => {
      let s = fresh().store;
      s.append("secret", HDR, enc("password"), 1n);
      s.append("other", undefined, enc("x"), 2n);
      expect(s.remove(1, true)).toBe(true);
      expect(s.get(1)).toBeUndefined();
      expect(s.next(0)!.seq).toBe(2);
      s = h!.checkpoint();
      expect(s.get(1)).toBeUndefined();
      expect(s.state()).toMatchObject({ messages: 1, firstSeq: 2, bytes: size("other", undefined, enc("x")) });
      s.append("secret", undefined, enc("again"), 3n);
      s = h!.checkpoint();
      expect(s.remove(3, true)).toBe(true);
      s = h!.checkpoint();
      expect(s.get(3)).toBeUndefined();
      expect(s.subjects().has("secret")).toBe(false);
    });

    it("purge: everything", () => {
      let s = fresh().store;
      fill(s, ["a", "b", "c", "a"]);
      s = h!.checkpoint();
      fill(s, ["d"]);
      expect(s.purge()).toBe(5);
      expect(s.state()).toMatchObject({ messages: 0, firstSeq: 6, lastSeq: 5, numSubjects: 0, bytes: 0 });
      expect(s.subjects().size).toBe(0);
      expect(s.last("a")).toBeUndefined();
      expect(s.next(0)).toBeUndefined();
      fill(s, ["a"]);
      expect(s.subjects()).toEqual(new Map([["a", 1]]));
      s = h!.checkpoint();
      expect(s.state()).toMatchObject({ messages: 1, firstSeq: 6, lastSeq: 6, numSubjects: 1 });
      expect(allMessages(s).map((m) => m!.seq)).toEqual([6]);
      expect(s.last("a")!.seq).toBe(6);
      expect(s.purge({ seq: 100 })).toBe(1);
      expect(s.purge({ filter: ">" })).toBe(0);
    });

    it("purge: by subject filter (literal and wildcard)", () => {
      let s = fresh().store;
      fill(s, ["a.1", "b.1", "a.2", "b.2", "a.1", "c"]);
      s = h!.checkpoint();
      expect(s.purge({ filter: "a.1" })).toBe(2);
      expect(allMessages(s).map((m) => m!.seq)).toEqual([2, 3, 4, 6]);
      expect(s.state()).toMatchObject({ messages: 4, firstSeq: 2, numSubjects: 4, numDeleted: 1 });
      expect(s.purge({ filter: "b.*" })).toBe(2);
      expect(allMessages(s).map((m) => m!.seq)).toEqual([3, 6]);
      s = h!.checkpoint();
      expect(s.state()).toMatchObject({ messages: 2, firstSeq: 3, lastSeq: 6, numDeleted: 2, numSubjects: 2 });
      expect(s.deleted()).toEqual([4, 5]);
      expect(s.purge({ filter: "zzz" })).toBe(0);
      expect(s.purge({ filter: "*.>" })).toBe(1);
      expect(s.purge({ filter: ">" })).toBe(1);
      expect(s.state()).toMatchObject({ messages: 0, firstSeq: 7, lastSeq: 6 });
    });

    it("purge: below a sequence (seq 0 means no limit, as in nats-server)", () => {
      let s = fresh().store;
      fill(s, ["a", "b", "a", "b", "a", "b"]);
      s = h!.checkpoint();
      expect(s.purge({ seq: 3 })).toBe(2);
      expect(s.state()).toMatchObject({ messages: 4, firstSeq: 3 });
      expect(s.purge({ seq: 6, filter: "a" })).toBe(2);
      expect(allMessages(s).map((m) => m!.seq)).toEqual([4, 6]);
      expect(s.purge({ seq: 1 })).toBe(0);
      s = h!.checkpoint();
      expect(s.purge({ seq: 0, filter: "b" })).toBe(2);
      expect(s.state()).toMatchObject({ messages: 0, firstSeq: 7, lastSeq: 6 });
    });

    it("purge: keep the newest N, overall and per filter", () => {
      let s = fresh().store;
      fill(s, ["a", "b", "a", "b", "a", "b", "a"]);
      s = h!.checkpoint();
      expect(s.purge({ keep: 5 })).toBe(2);
      expect(allMessages(s).map((m) => m!.seq)).toEqual([3, 4, 5, 6, 7]);
      expect(s.purge({ keep: 10 })).toBe(0);
      expect(s.purge({ filter: "a", keep: 1 })).toBe(2);
      expect(allMessages(s).map((m) => m!.seq)).toEqual([4, 6, 7]);
      s = h!.checkpoint();
      expect(s.purge({ filter: "*", keep: 2 })).toBe(1);
      expect(allMessages(s).map((m) => m!.seq)).toEqual([6, 7]);
      expect(s.purge({ filter: "b", keep: 0 })).toBe(1);
      expect(s.purge({ keep: 0 })).toBe(1);
      expect(s.state()).toMatchObject({ messages: 0, firstSeq: 8, lastSeq: 7 });
    });

    it("state: bytes, first/last, num_deleted, num_subjects follow every change", () => {
      let s = fresh().store;
      const msgs: [string, Uint8Array | undefined, string][] = [
        ["x.1", undefined, "hello"],
        ["x.2", HDR, ""],
        ["x.1", HDR, "with headers"],
        ["y", undefined, "y"],
      ];
      let bytes = 0;
      for (const [i, [subject, hdr, data]] of msgs.entries()) {
        s.append(subject, hdr, enc(data), BigInt(10 * (i + 1)));
        bytes += size(subject, hdr, enc(data));
      }
      s = h!.checkpoint();
      expect(s.state()).toEqual({
        messages: 4,
        bytes,
        firstSeq: 1,
        firstTime: 10n,
        lastSeq: 4,
        lastTime: 40n,
        numDeleted: 0,
        numSubjects: 3,
      });
      s.remove(2);
      bytes -= size("x.2", HDR, enc(""));
      expect(s.state()).toMatchObject({ messages: 3, bytes, numDeleted: 1, numSubjects: 2 });
      s.remove(4);
      bytes -= size("y", undefined, enc("y"));
      expect(s.state()).toMatchObject({ messages: 2, bytes, numDeleted: 2, numSubjects: 1, lastSeq: 4, lastTime: 40n });
      expect(s.deleted()).toEqual([2, 4]);
      s = h!.checkpoint();
      expect(s.state()).toMatchObject({ messages: 2, bytes, numDeleted: 2, numSubjects: 1, firstSeq: 1, lastSeq: 4 });
    });

    it("storedMessages and storedBytes agree with state() through appends, removals and purges", () => {
      let s = fresh().store;
      const agree = () => {
        const st = s.state();
        expect([s.storedMessages, s.storedBytes]).toEqual([st.messages, st.bytes]);
      };
      agree();
      fill(s, ["a", "b", "a", "c", "a"]);
      agree();
      s.remove(1);
      agree();
      s = h!.checkpoint();
      agree();
      s.purge({ filter: "a" });
      agree();
      s.purge();
      agree();
      expect(s.storedMessages).toBe(0);
    });

    it("next(0, subject) finds each subject's oldest as a KV bucket evicts it (removals, commits, purges)", () => {
      let s = fresh().store;
      const keys = ["k.0", "k.1", "k.2"];
      // Three rounds of puts over three keys, each put evicting the key's previous value (max 1 per subject).
      for (let round = 0; round < 3; round++) {
        for (const k of keys) {
          const old = s.next(0, k);
          fill(s, [k]);
          if (old !== undefined) expect(s.remove(old.seq)).toBe(true);
          expect(s.count(0, k)).toBe(1);
          expect(s.next(0, k)?.seq).toBe(s.last(k)?.seq);
        }
        s = h!.checkpoint();
      }
      expect(keys.map((k) => s.next(0, k)?.seq)).toEqual([7, 8, 9]);
      fill(s, ["k.0"]);
      expect(s.next(0, "k.0")?.seq).toBe(7);
      expect(s.next(8, "k.0")?.seq).toBe(10);
      s.purge({ filter: "k.0", keep: 1 });
      expect(s.next(0, "k.0")?.seq).toBe(10);
      s = h!.checkpoint();
      expect(s.next(0, "k.0")?.seq).toBe(10);
      s.purge();
      expect(s.next(0, "k.1")).toBeUndefined();
      fill(s, ["k.1"]);
      expect(s.next(0, "k.1")?.seq).toBe(11);
    });

    it("sequential reads (a consumer's) stay exact through removals, erasures, commits and purges", () => {
      let s = fresh().store;
      const subjects = Array.from({ length: 300 }, (_, i) => `r.${i % 5}`);
      fill(s, subjects);
      s = h!.checkpoint();
      const read = (from: number, to: number) => {
        const out: (string | undefined)[] = [];
        for (let seq = from; seq <= to; seq++) {
          const m = s.get(seq);
          out.push(m === undefined ? undefined : new TextDecoder().decode(m.data));
        }
        return out;
      };
      expect(read(1, 50)).toEqual(subjects.slice(0, 50).map((sub, i) => `${sub}#${i + 1}`));
      // Removed while a read-ahead window may hold them: gone at once, and after the commit.
      const held = s.get(52)!;
      s.remove(60);
      s.remove(52, true);
      expect(held.data.every((b) => b === 0) || new TextDecoder().decode(held.data) === "r.1#52").toBe(true);
      expect(read(51, 61)).toEqual([`r.0#51`, undefined, `r.2#53`, `r.3#54`, `r.4#55`, `r.0#56`, `r.1#57`, `r.2#58`, `r.3#59`, undefined, `r.0#61`]);
      s = h!.checkpoint();
      expect(read(58, 62)).toEqual([`r.2#58`, `r.3#59`, undefined, `r.0#61`, `r.1#62`]);
      expect(read(1, 300).filter((x) => x !== undefined)).toHaveLength(298);
      s.purge({ seq: 200 });
      expect(read(190, 205)).toEqual([...Array(10).fill(undefined), `r.4#200`, `r.0#201`, `r.1#202`, `r.2#203`, `r.3#204`, `r.4#205`]);
      s = h!.checkpoint();
      expect(read(195, 201)).toEqual([...Array(5).fill(undefined), `r.4#200`, `r.0#201`]);
      s.purge();
      expect(read(290, 300)).toEqual(Array(11).fill(undefined));
      fill(s, ["r.new"]);
      s = h!.checkpoint();
      expect(read(300, 301)).toEqual([undefined, "r.new#301"]);
    });

    it("subjects(filter): counts per subject", () => {
      let s = fresh().store;
      fill(s, ["a.1", "a.2", "a.1", "b.1", "b.x.y", "c"]);
      s = h!.checkpoint();
      expect(s.subjects()).toEqual(new Map([["a.1", 2], ["a.2", 1], ["b.1", 1], ["b.x.y", 1], ["c", 1]]));
      expect(s.subjects(">")).toEqual(s.subjects());
      expect(s.subjects("a.1")).toEqual(new Map([["a.1", 2]]));
      expect(s.subjects("a.*")).toEqual(new Map([["a.1", 2], ["a.2", 1]]));
      expect(s.subjects("b.>")).toEqual(new Map([["b.1", 1], ["b.x.y", 1]]));
      expect(s.subjects("*")).toEqual(new Map([["c", 1]]));
      expect(s.subjects("nope").size).toBe(0);
      s.remove(1);
      expect(s.subjects("a.1")).toEqual(new Map([["a.1", 1]]));
      s.remove(3);
      expect(s.subjects("a.*")).toEqual(new Map([["a.2", 1]]));
      fill(s, ["a.1"]);
      s = h!.checkpoint();
      expect(s.subjects("a.*")).toEqual(new Map([["a.1", 1], ["a.2", 1]]));
      expect(s.state().numSubjects).toBe(5);
    });

    it("count(from, filter)", () => {
      let s = fresh().store;
      fill(s, ["a.1", "b.1", "a.2", "b.2", "a.1", "c"]);
      s = h!.checkpoint();
      expect(s.count(0)).toBe(6);
      expect(s.count(1)).toBe(6);
      expect(s.count(4)).toBe(3);
      expect(s.count(7)).toBe(0);
      expect(s.count(0, "a.1")).toBe(2);
      expect(s.count(2, "a.1")).toBe(1);
      expect(s.count(6, "a.1")).toBe(0);
      expect(s.count(0, "a.*")).toBe(3);
      expect(s.count(3, "a.*")).toBe(2);
      expect(s.count(2, "*.1")).toBe(2);
      expect(s.count(0, ">")).toBe(6);
      expect(s.count(0, "x")).toBe(0);
      s.remove(5);
      s.remove(1);
      expect(s.count(0)).toBe(4);
      expect(s.count(3)).toBe(3);
      expect(s.count(0, "a.1")).toBe(0);
      expect(s.count(0, "a.*")).toBe(1);
      s = h!.checkpoint();
      expect(s.count(3)).toBe(3);
      expect(s.count(4, "*.2")).toBe(1);
    });

    it("deleted(): interior gaps only, ascending", () => {
      let s = fresh().store;
      fill(s, Array.from({ length: 20 }, (_, i) => `s.${i % 4}`));
      s = h!.checkpoint();
      for (const seq of [1, 2, 5, 9, 10, 11, 20]) s.remove(seq);
      expect(s.deleted()).toEqual([5, 9, 10, 11, 20]);
      expect(s.state()).toMatchObject({ firstSeq: 3, lastSeq: 20, messages: 13, numDeleted: 5 });
      s = h!.checkpoint();
      expect(s.deleted()).toEqual([5, 9, 10, 11, 20]);
      s.purge({ seq: 10 });
      expect(s.deleted()).toEqual([20]);
      expect(s.state()).toMatchObject({ firstSeq: 12, numDeleted: 1 });
    });

    /** Stores `subject` at `seq` with data `subject#seq` and time 1000 + seq (as `fill` does). */
    function putAt(s: StreamStore, seq: number, subject: string): StoredMessage {
      return s.appendAt(seq, subject, undefined, enc(`${subject}#${seq}`), BigInt(1000 + seq));
    }
    const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

    it("appendAt: a gap after existing messages counts as deleted", () => {
      let s = fresh().store;
      fill(s, ["a", "b", "a"]);
      const m = s.appendAt(10, "d.x", HDR, enc("ten"), 77n);
      expect(m.seq).toBe(10);
      expect(m.subject).toBe("d.x");
      expect(text(m.data)).toBe("ten");
      const check = (st: StreamStore): void => {
        expect(st.state()).toEqual({
          messages: 4,
          bytes: size("a", undefined, enc("a#1")) + size("b", undefined, enc("b#2")) + size("a", undefined, enc("a#3")) + size("d.x", HDR, enc("ten")),
          firstSeq: 1,
          firstTime: 1001n,
          lastSeq: 10,
          lastTime: 77n,
          numDeleted: 6,
          numSubjects: 3,
        });
        expect(st.deleted()).toEqual(range(4, 9));
        for (const seq of range(4, 9)) expect(st.get(seq)).toBeUndefined();
        expect(text(st.get(10)!.headers)).toBe(text(HDR));
        expect(st.get(10)!.time).toBe(77n);
        expect(st.next(4)!.seq).toBe(10);
        expect(st.next(4, "d.x")!.seq).toBe(10);
        expect(st.next(4, "d.*")!.seq).toBe(10);
        expect(st.next(4, "a")).toBeUndefined();
        expect(st.next(11)).toBeUndefined();
        expect(st.count(0)).toBe(4);
        expect(st.count(4)).toBe(1);
        expect(st.count(7, ">")).toBe(1);
        expect(st.count(3, "*")).toBe(1);
        expect(st.count(0, "d.>")).toBe(1);
        expect(st.last(">")!.seq).toBe(10);
        expect(st.last("a")!.seq).toBe(3);
        expect(st.last("*.x")!.seq).toBe(10);
        expect(st.subjects()).toEqual(new Map([["a", 2], ["b", 1], ["d.x", 1]]));
      };
      check(s);
      s = h!.checkpoint();
      check(s);
      expect(s.remove(5)).toBe(false);
      expect(s.remove(9)).toBe(false);
      expect(s.append("e", undefined, enc("e"), 88n).seq).toBe(11);
      expect(s.state()).toMatchObject({ messages: 5, lastSeq: 11, lastTime: 88n, numDeleted: 6 });
      s = h!.checkpoint();
      expect(allMessages(s).map((x) => x!.seq)).toEqual([1, 2, 3, 10, 11]);
      expect(s.deleted()).toEqual(range(4, 9));
    });

    it("appendAt: the next sequence is an ordinary append", () => {
      let s = fresh().store;
      fill(s, ["a"]);
      expect(putAt(s, 2, "b").seq).toBe(2);
      s = h!.checkpoint();
      expect(s.state()).toMatchObject({ messages: 2, firstSeq: 1, lastSeq: 2, numDeleted: 0 });
      expect(s.deleted()).toEqual([]);
    });

    it("appendAt on a fresh store: firstSeq is that sequence, nothing deleted", () => {
      let s = fresh().store;
      expect(putAt(s, 100, "a").seq).toBe(100);
      const check = (st: StreamStore): void => {
        expect(st.state()).toMatchObject({ messages: 1, firstSeq: 100, lastSeq: 100, numDeleted: 0, firstTime: 1100n, lastTime: 1100n });
        expect(st.deleted()).toEqual([]);
        expect(st.get(99)).toBeUndefined();
        expect(st.next(0)!.seq).toBe(100);
        expect(st.next(0, "a")!.seq).toBe(100);
        expect(st.count(0)).toBe(1);
        expect(st.count(100)).toBe(1);
        expect(st.count(101)).toBe(0);
        expect(st.last("a")!.seq).toBe(100);
      };
      check(s);
      s = h!.checkpoint();
      check(s);
      expect(s.append("b", undefined, enc("b"), 5n).seq).toBe(101);
      expect(s.state()).toMatchObject({ messages: 2, firstSeq: 100, lastSeq: 101, numDeleted: 0 });
      expect(s.remove(100)).toBe(true);
      s = h!.checkpoint();
      expect(s.state()).toMatchObject({ messages: 1, firstSeq: 101, lastSeq: 101, numDeleted: 0 });
    });

    it("appendAt on a store emptied by a purge or by removals: firstSeq is that sequence", () => {
      let s = fresh().store;
      fill(s, ["a", "b", "c"]);
      s = h!.checkpoint();
      expect(s.purge()).toBe(3);
      expect(putAt(s, 50, "x").seq).toBe(50);
      expect(s.state()).toMatchObject({ messages: 1, firstSeq: 50, lastSeq: 50, numDeleted: 0, numSubjects: 1 });
      expect(s.subjects()).toEqual(new Map([["x", 1]]));
      s = h!.checkpoint();
      expect(s.state()).toMatchObject({ messages: 1, firstSeq: 50, lastSeq: 50, numDeleted: 0, firstTime: 1050n });
      expect(allMessages(s).map((m) => m!.seq)).toEqual([50]);
      expect(s.deleted()).toEqual([]);

      // Emptied by removing every message (committed or not), then a gap.
      expect(s.remove(50)).toBe(true);
      expect(s.state()).toMatchObject({ messages: 0, firstSeq: 51, lastSeq: 50 });
      s = h!.checkpoint();
      putAt(s, 60, "y");
      expect(s.remove(60)).toBe(true);
      expect(putAt(s, 70, "z").seq).toBe(70);
      expect(s.state()).toMatchObject({ messages: 1, firstSeq: 70, lastSeq: 70, numDeleted: 0, numSubjects: 1 });
      s = h!.checkpoint();
      expect(s.state()).toMatchObject({ messages: 1, firstSeq: 70, lastSeq: 70, numDeleted: 0 });
      expect(s.next(0)!.seq).toBe(70);
      expect(s.get(60)).toBeUndefined();
      expect(s.subjects()).toEqual(new Map([["z", 1]]));
    });

    it("appendAt: sequences not above lastSeq are a RangeError and change nothing", () => {
      let s = fresh().store;
      expect(() => putAt(s, 0, "a")).toThrow(RangeError);
      expect(() => putAt(s, -3, "a")).toThrow(RangeError);
      fill(s, ["a", "b"]);
      putAt(s, 5, "c");
      s = h!.checkpoint();
      const before = s.state();
      for (const bad of [5, 4, 3, 1, 0, 5.5, NaN, Infinity, 2 ** 53]) expect(() => putAt(s, bad, "bad"), String(bad)).toThrow(RangeError);
      expect(s.state()).toEqual(before);
      expect(s.subjects().has("bad")).toBe(false);
      expect(s.purge()).toBe(3);
      // lastSeq stays 5 after the purge.
      expect(() => putAt(s, 5, "c")).toThrow(RangeError);
      expect(putAt(s, 6, "c").seq).toBe(6);
      expect(s.state()).toMatchObject({ messages: 1, firstSeq: 6, lastSeq: 6 });
    });

    it("appendAt: removals, purges and reads across several gaps", () => {
      let s = fresh().store;
      // 1,2 · gap 3..9 · 10..12 · gap 13..4999 (longer than any run of empty slots) · 5000, 5001 · gap · 9000
      fill(s, ["a.1", "b.1"]);
      putAt(s, 10, "a.2");
      fill(s, ["b.1", "a.1"]);
      s = h!.checkpoint();
      putAt(s, 5000, "a.1");
      fill(s, ["c"]);
      putAt(s, 9000, "b.2");
      const live = [1, 2, 10, 11, 12, 5000, 5001, 9000];
      const subjectOf = new Map([[1, "a.1"], [2, "b.1"], [10, "a.2"], [11, "b.1"], [12, "a.1"], [5000, "a.1"], [5001, "c"], [9000, "b.2"]]);
      const check = (st: StreamStore, seqs: number[]): void => {
        expect(allMessages(st).map((m) => m!.seq)).toEqual(seqs);
        for (const seq of seqs) expect(st.get(seq)!.subject).toBe(subjectOf.get(seq));
        const first = seqs[0];
        const gaps = range(first, 9000).filter((x) => !seqs.includes(x));
        expect(st.deleted()).toEqual(gaps);
        expect(st.state()).toMatchObject({ messages: seqs.length, firstSeq: first, lastSeq: 9000, numDeleted: gaps.length });
        for (const f of [">", "a.1", "a.*", "*.1", "b.>", "c", "x"]) {
          const matching = seqs.filter((x) => f === ">" || matchesSimple(subjectOf.get(x)!, f));
          expect(st.last(f)?.seq, `last ${f}`).toBe(matching.at(-1));
          for (const from of [0, 2, 3, 9, 10, 12, 13, 4999, 5000, 5002, 8999, 9000, 9001]) {
            expect(st.next(from, f)?.seq, `next ${from} ${f}`).toBe(matching.find((x) => x >= from));
            expect(st.count(from, f), `count ${from} ${f}`).toBe(matching.filter((x) => x >= from).length);
          }
        }
      };
      check(s, live);
      s = h!.checkpoint();
      check(s, live);
      expect(s.subjects("a.*")).toEqual(new Map([["a.1", 3], ["a.2", 1]]));
      // The first two go: firstSeq jumps over the gap, which no longer counts as deleted.
      expect(s.remove(1)).toBe(true);
      expect(s.remove(2)).toBe(true);
      check(s, [10, 11, 12, 5000, 5001, 9000]);
      expect(s.state().firstTime).toBe(1010n);
      // A purge below a sequence crosses the long gap.
      expect(s.purge({ seq: 5001 })).toBe(4);
      check(s, [5001, 9000]);
      expect(s.state()).toMatchObject({ firstSeq: 5001, numDeleted: 3998, numSubjects: 2 });
      s = h!.checkpoint();
      check(s, [5001, 9000]);
      putAt(s, 20_000, "c");
      expect(s.purge({ filter: "c", keep: 1 })).toBe(1);
      subjectOf.set(20_000, "c");
      expect(allMessages(s).map((m) => m!.seq)).toEqual([9000, 20_000]);
      expect(s.state()).toMatchObject({ messages: 2, firstSeq: 9000, lastSeq: 20_000, numDeleted: 10_999 });
      expect(s.deleted().length).toBe(10_999);
      expect(s.remove(20_000)).toBe(true);
      expect(s.state()).toMatchObject({ messages: 1, firstSeq: 9000, lastSeq: 20_000, numDeleted: 11_000 });
      expect(s.last(">")!.seq).toBe(9000);
      s = h!.checkpoint();
      expect(s.state()).toMatchObject({ messages: 1, firstSeq: 9000, lastSeq: 20_000, numDeleted: 11_000 });
      expect(s.append("d", undefined, enc("d"), 1n).seq).toBe(20_001);
      expect(s.purge({ keep: 1 })).toBe(1);
      s = h!.checkpoint();
      expect(s.state()).toMatchObject({ messages: 1, firstSeq: 20_001, lastSeq: 20_001, numDeleted: 0 });
    });

    it("appendAt: huge gaps are cheap (no slot or record per skipped sequence)", () => {
      let s = fresh().store;
      fill(s, ["a", "b", "a", "b", "a"]);
      const heapBefore = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      putAt(s, 10_000_005, "a");
      // 200 more gaps of 10M: any representation that pays per skipped sequence runs out of time or memory.
      let seq = 10_000_005;
      for (let i = 0; i < 200; i++) putAt(s, (seq += 10_000_000), i % 2 ? "a" : "big.x");
      // Past 2^32 too (the LMDB subject index keeps u32 offsets from a chunk's base).
      putAt(s, 2 ** 40, "a");
      fill(s, ["a"]);
      const elapsed = performance.now() - t0;
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      expect(elapsed).toBeLessThan(2000);
      expect(heapGrowth).toBeLessThan(64 << 20);
      const last = 2 ** 40 + 1;
      const check = (st: StreamStore): void => {
        expect(st.state()).toMatchObject({ messages: 208, firstSeq: 1, lastSeq: last, numDeleted: last - 208, numSubjects: 3 });
        expect(st.next(6)!.seq).toBe(10_000_005);
        expect(st.next(10_000_006)!.seq).toBe(20_000_005);
        expect(st.next(seq + 1)!.seq).toBe(2 ** 40);
        expect(st.next(seq + 1, "a")!.seq).toBe(2 ** 40);
        expect(st.next(6, "big.*")!.seq).toBe(20_000_005);
        expect(st.count(6)).toBe(203);
        expect(st.count(seq)).toBe(3);
        expect(st.count(6, "a")).toBe(103);
        expect(st.count(2 ** 40, "a")).toBe(2);
        expect(st.last("a")!.seq).toBe(last);
        expect(st.last("big.x")!.seq).toBe(seq - 10_000_000);
        expect(st.get(2 ** 40)!.subject).toBe("a");
        expect(st.get(2 ** 40 - 1)).toBeUndefined();
        expect(st.subjects()).toEqual(new Map([["a", 106], ["b", 2], ["big.x", 100]]));
      };
      check(s);
      s = h!.checkpoint();
      check(s);
      expect(s.append("a", undefined, enc("z"), 1n).seq).toBe(last + 1);
      expect(s.purge({ filter: "big.x" })).toBe(100);
      expect(s.purge({ seq: 2 ** 40 })).toBe(106);
      expect(s.state()).toMatchObject({ messages: 3, firstSeq: 2 ** 40, lastSeq: last + 1, numDeleted: 0, numSubjects: 1 });
      expect(s.deleted()).toEqual([]);
      s = h!.checkpoint();
      expect(s.state()).toMatchObject({ messages: 3, firstSeq: 2 ** 40, lastSeq: last + 1, numDeleted: 0 });
      expect(allMessages(s).map((m) => m!.seq)).toEqual([2 ** 40, last, last + 1]);
    });

    const manySubjects = Array.from({ length: 100 }, (_, i) => `p.${i % 10}.${i}`);
    for (const [label, subjects] of [
      ["few subjects", ["m.a", "m.b", "m.c.d", "n.a", "n.b.c", "o"]],
      ["many subjects", manySubjects],
    ] as const) {
      it(`agrees with a naive model over thousands of messages and gaps (${label})`, () => {
        let s = fresh().store;
        const model = new Map<number, string>();
        let rnd = 12345;
        const rand = (n: number): number => {
          rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
          return (rnd >>> 8) % n;
        };
        const N = 3000;
        // "early.x" only at 1000 and 1024, so reads for it cross the empty stretch below.
        for (let i = 1; i <= N; i++) {
          const subject = i === 1000 || i === 1024 ? "early.x" : subjects[rand(subjects.length)];
          s.append(subject, undefined, enc(String(i)), BigInt(i));
          model.set(i, subject);
        }
        // 1025..2048 all go (whole blocks, if the store has any), and about a third of the rest.
        for (let seq = 1; seq <= N; seq++) {
          const keep = seq === 1000 || seq === 1024 || seq === 2049;
          if ((seq >= 1025 && seq <= 2048) || (!keep && rand(3) === 0)) {
            if (s.remove(seq)) model.delete(seq);
          }
        }
        s = h!.checkpoint();
        const live = [...model.keys()].sort((a, b) => a - b);
        expect(s.state().messages).toBe(live.length);
        expect(s.state().firstSeq).toBe(live[0]);
        expect(allMessages(s).map((m) => m!.seq)).toEqual(live);
        const filters = [">", subjects[0], `${subjects[1].split(".")[0]}.*`, "*.a", "o", "q", "early.*", "early.x", "*.*.*", "p.3.>"];
        for (const f of filters) {
          const matching = live.filter((seq) => f === ">" || matchesSimple(model.get(seq)!, f));
          expect(s.last(f)?.seq, `last ${f}`).toBe(matching.at(-1));
          for (const from of [0, 50, 150, 1000, 1001, 1024, 1025, 1300, 2048, 2049, 2599, 2999, 3001]) {
            expect(s.count(from, f), `count ${from} ${f}`).toBe(matching.filter((x) => x >= from).length);
            expect(s.next(from, f)?.seq, `next ${from} ${f}`).toBe(matching.find((x) => x >= from));
          }
          const counts = new Map<string, number>();
          for (const seq of matching) counts.set(model.get(seq)!, (counts.get(model.get(seq)!) ?? 0) + 1);
          expect(new Map([...s.subjects(f)].sort()), `subjects ${f}`).toEqual(new Map([...counts].sort()));
        }
        const gaps: number[] = [];
        for (let seq = live[0]; seq <= N; seq++) if (!model.has(seq)) gaps.push(seq);
        expect(s.deleted()).toEqual(gaps);
        const f = `${subjects[1].split(".")[0]}.*`;
        const matched = live.filter((x) => matchesSimple(model.get(x)!, f)).length;
        expect(s.purge({ filter: f, keep: 10 })).toBe(Math.max(0, matched - 10));
        expect(s.count(0, f)).toBe(Math.min(10, matched));
      });
    }
  });
}

/** A deliberately naive matcher for the model (token by token). */
function matchesSimple(subject: string, filter: string): boolean {
  const st = subject.split(".");
  const ft = filter.split(".");
  for (let i = 0; i < ft.length; i++) {
    if (ft[i] === ">") return st.length > i;
    if (i >= st.length) return false;
    if (ft[i] !== "*" && ft[i] !== st[i]) return false;
  }
  return st.length === ft.length;
}

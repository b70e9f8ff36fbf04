import { describe, expect, it } from "vitest";
import { MemoryAccountStore, MemoryStreamStore, messageSize } from "../src/index.js";
import { defineStreamStoreConformance } from "./conformance.js";

defineStreamStoreConformance("MemoryStreamStore", {
  kind: "memory",
  make: () => {
    const store = new MemoryStreamStore();
    return { store, checkpoint: () => store, cleanup: () => store.close() };
  },
});

defineStreamStoreConformance("MemoryStreamStore counting file sizes", {
  kind: "file",
  make: () => {
    const store = new MemoryStreamStore({ kind: "file" });
    return { store, checkpoint: () => store, cleanup: () => store.close() };
  },
});

describe("MemoryStreamStore specifics", () => {
  it("erase zeroes the stored bytes in place", () => {
    const s = new MemoryStreamStore();
    s.append("secret", Buffer.from("NATS/1.0\r\n\r\n"), Buffer.from("password"), 1n);
    const held = s.get(1)!;
    expect(s.remove(1, true)).toBe(true);
    expect(held.data.every((b) => b === 0)).toBe(true);
    expect(held.headers!.every((b) => b === 0)).toBe(true);
  });

  it("messages sharing a chunk keep their own bytes: the caller's buffers reused, neighbours erased, big and empty ones", () => {
    const s = new MemoryStreamStore();
    const scratch = Buffer.alloc(20_000);
    const expected: { hdr?: Buffer; data: Buffer }[] = [];
    // Sizes cross chunk ends and the shared-chunk limit; the caller overwrites its buffer after each append.
    for (let i = 0; i < 600; i++) {
      const size = i % 97 === 0 ? 9_000 + i : i % 13 === 0 ? 0 : (i * 37) % 700;
      const hdr = i % 5 === 0 ? Buffer.from(`NATS/1.0\r\nN: ${i}\r\n\r\n`) : undefined;
      const data = scratch.subarray(0, size).fill(i & 0xff);
      s.append(`m.${i % 7}`, hdr, data, BigInt(i));
      expected.push({ hdr, data: Buffer.from(data) });
      scratch.fill(0xee);
    }
    for (let seq = 2; seq <= 600; seq += 3) s.remove(seq, true);
    for (let seq = 1; seq <= 600; seq++) {
      const m = s.get(seq);
      if ((seq - 2) % 3 === 0) {
        expect(m).toBeUndefined();
        continue;
      }
      const e = expected[seq - 1];
      expect(Buffer.from(m!.data).equals(e.data), `data of ${seq}`).toBe(true);
      expect(m!.headers === undefined ? undefined : Buffer.from(m!.headers).toString(), `headers of ${seq}`).toBe(e.hdr?.toString());
    }
  });

  it("stays compact when used as a queue (front removals)", () => {
    const s = new MemoryStreamStore();
    let removed = 0;
    for (let i = 1; i <= 50_000; i++) {
      s.append(`q.${i % 10}`, undefined, Buffer.from("x"), BigInt(i));
      if (i > 100 && s.remove(i - 100)) removed++;
    }
    expect(removed).toBe(49_900);
    expect(s.state()).toMatchObject({ messages: 100, firstSeq: 49_901, lastSeq: 50_000, numDeleted: 0 });
    expect(s.count(49_950)).toBe(51);
    expect(s.count(49_950, "q.3")).toBe(5);
    expect(s.last("q.7")!.seq).toBe(49_997);
    expect(s.next(0, "q.*")!.seq).toBe(49_901);
  });
  it("drops the runs left behind by gaps when used as a queue", () => {
    const s = new MemoryStreamStore();
    // Every message after a gap too long to fill: one run each.
    let seq = 0;
    for (let i = 1; i <= 20_000; i++) {
      s.appendAt((seq += 2000), `q.${i % 10}`, undefined, Buffer.from("x"), BigInt(i));
      if (i > 100) s.remove(seq - 100 * 2000);
    }
    expect(s.state()).toMatchObject({ messages: 100, firstSeq: 19_901 * 2000, lastSeq: 20_000 * 2000, numDeleted: 99 * 1999 });
    expect((s as unknown as { runs: unknown[] }).runs.length).toBeLessThanOrEqual(200);
    expect(s.count(19_950 * 2000)).toBe(51);
    expect(s.next(0, "q.*")!.seq).toBe(19_901 * 2000);
    expect(s.last("q.7")!.seq).toBe(19_997 * 2000);
  });
});

describe("messageSize", () => {
  it("counts as nats-server 2.9.10 does for memory and file streams", () => {
    const hdr = Buffer.from("NATS/1.0\r\nX-Foo: bar\r\n\r\n"); // 24 bytes
    // Measured against nats-server 2.9.10 (STREAM.INFO state.bytes deltas).
    expect(messageSize("MEM.a", undefined, new Uint8Array(0), "memory")).toBe(21);
    expect(messageSize("MEM.abcdefghij", undefined, new Uint8Array(100), "memory")).toBe(130);
    expect(messageSize("MEM.h", hdr, new Uint8Array(50), "memory")).toBe(95);
    expect(messageSize("MEM.ü", undefined, new Uint8Array(3), "memory")).toBe(25);
    expect(messageSize("FILE.a", undefined, new Uint8Array(0), "file")).toBe(36);
    expect(messageSize("FILE.abcdefghij", undefined, new Uint8Array(100), "file")).toBe(145);
    expect(messageSize("FILE.h", hdr, new Uint8Array(0), "file")).toBe(64);
    expect(messageSize("FILE.h", hdr, new Uint8Array(50), "file")).toBe(114);
    expect(messageSize("FILE.ü", undefined, new Uint8Array(3), "file")).toBe(40);
  });
});

describe("MemoryAccountStore", () => {
  it("keeps streams and consumers in memory", () => {
    const acc = new MemoryAccountStore();
    const { record, store } = acc.createStream("S", '{"a":1}', false);
    expect(() => acc.createStream("S", "{}", true)).toThrow();
    store.append("x", undefined, Buffer.from("1"), 1n);
    expect(acc.openStream(record)).toBe(store);
    // "file" streams of a memory account count bytes as file streams.
    expect(store.state().bytes).toBe(messageSize("x", undefined, Buffer.from("1"), "file"));
    acc.updateStreamConfig("S", '{"a":2}');
    expect(acc.streams()).toEqual([{ ...record, config: '{"a":2}' }]);
    acc.saveConsumer("S", { name: "c2", config: "{}", state: "1" });
    acc.saveConsumer("S", { name: "c1", config: "{}", state: "2" });
    expect(acc.consumers("S").map((c) => c.name)).toEqual(["c1", "c2"]);
    acc.deleteConsumer("S", "c2");
    expect(acc.consumers("S").map((c) => c.name)).toEqual(["c1"]);
    acc.deleteStream("S");
    expect(acc.streams()).toEqual([]);
    expect(() => acc.consumers("S")).toThrow();
    const again = acc.createStream("S", "{}", true);
    expect(again.record.incarnation).not.toBe(record.incarnation);
    expect(again.store.state().messages).toBe(0);
    expect(acc.consumers("S")).toEqual([]);
    expect(() => acc.openStream(record)).toThrow();
  });
});

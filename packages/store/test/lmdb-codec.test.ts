/** The stored message layout (lmdb-codec.ts): what is encoded decodes the same, whatever came before it. */
import { describe, expect, it } from "vitest";
import { decodeMessage, decodeSubject, encodeMessage } from "../src/lmdb-codec.js";
import { MessageArena } from "../src/message-arena.js";
import { rng } from "./helpers.js";

describe("stored message codec", () => {
  it("decodes every subject right in a random sequence of repeats, same-length neighbours, unicode and long subjects", () => {
    const subjects = ["a.b", "a.c", "a.b", "orders.ü", "orders.u", "日本.x", "", `long.${"x".repeat(300)}`, `long.${"x".repeat(299)}y`, "$KV.b.k1", "$KV.b.k2"];
    const rand = rng(3);
    const arena = new MessageArena();
    for (let i = 0; i < 5000; i++) {
      const subject = subjects[rand(subjects.length)];
      const data = Buffer.from(`m${i}`);
      const headers = i % 7 === 0 ? Buffer.from("NATS/1.0\r\n\r\n") : undefined;
      // Encoded alone or into an arena (at an offset in a shared chunk), as the store does.
      const e = encodeMessage(i, subject, headers, data, BigInt(i), i % 2 === 0 ? arena : undefined);
      expect([e.subject, Buffer.from(e.data).toString(), e.time, e.headers === undefined]).toEqual([subject, `m${i}`, BigInt(i), headers === undefined]);
      const raw = Buffer.from(e.buf.subarray(e.start, e.end));
      const m = decodeMessage(i, raw);
      expect([i, m.subject]).toEqual([i, subject]);
      expect(decodeSubject(raw)).toBe(subject);
      expect(Buffer.from(m.data).toString()).toBe(`m${i}`);
      expect(m.headers === undefined).toBe(headers === undefined);
      expect(m.time).toBe(BigInt(i));
    }
  });
});

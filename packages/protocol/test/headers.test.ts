import { describe, expect, it } from "vitest";
import { addHeader, addHeaderLine, decodeHeaders, headerLine, withoutHeader } from "../src/headers.js";
import { randomBase62 } from "../src/random.js";

const enc = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "latin1"));
const text = (b: Uint8Array): string => Buffer.from(b).toString("latin1");

describe("addHeader / addHeaderLine", () => {
  it("gives a message without headers a block of its own, the payload after it", () => {
    const r = addHeaderLine(-1, enc("payload"), headerLine("Nats-Request-Info", '{"acc":"U"}'));
    expect(text(r.data)).toBe('NATS/1.0\r\nNats-Request-Info: {"acc":"U"}\r\n\r\npayload');
    expect(r.headerSize).toBe(text(r.data).indexOf("payload"));
  });

  it("appends to an existing block, before its empty line, and leaves the payload alone", () => {
    const block = "NATS/1.0\r\nA: 1\r\n\r\n";
    const r = addHeader(block.length, enc(`${block}body`), "B", "2");
    expect(text(r.data)).toBe("NATS/1.0\r\nA: 1\r\nB: 2\r\n\r\nbody");
    expect(decodeHeaders(r.data.subarray(0, r.headerSize)).fields).toEqual([
      ["A", "1"],
      ["B", "2"],
    ]);
  });

  it("leaves a malformed block as it is", () => {
    const data = enc("NATS/1.0\r\nA: 1xxbody");
    expect(addHeader(14, data, "B", "2")).toEqual({ headerSize: 14, data });
  });

  it("an empty payload, and a payload view into a larger buffer", () => {
    expect(text(addHeader(-1, new Uint8Array(0), "K", "v").data)).toBe("NATS/1.0\r\nK: v\r\n\r\n");
    const big = enc("xxNATS/1.0\r\n\r\nPAYxx");
    const view = big.subarray(2, big.length - 2);
    expect(text(addHeader(12, view, "K", "v").data)).toBe("NATS/1.0\r\nK: v\r\n\r\nPAY");
  });
});

describe("withoutHeader", () => {
  const K = "Nats-Request-Info";
  it("drops the first line of exactly that key, keeps the others, and returns the block itself when absent", () => {
    expect(text(withoutHeader(enc(`NATS/1.0\r\nA: 1\r\n${K}: {"acc":"U"}\r\nB: 2\r\n\r\n`), K)!)).toBe("NATS/1.0\r\nA: 1\r\nB: 2\r\n\r\n");
    const none = enc("NATS/1.0\r\nA: 1\r\n\r\n");
    expect(withoutHeader(none, K)).toBe(none);
  });

  it("leaves keys that only contain the name, or name it in a value", () => {
    const block = enc(`NATS/1.0\r\nX-${K}: 1\r\n${K}-Not: 2\r\nV: ${K}: 3\r\n\r\n`);
    expect(withoutHeader(block, K)).toBe(block);
  });

  it("no block at all when only the empty one is left", () => {
    expect(withoutHeader(enc(`NATS/1.0\r\n${K}: {}\r\n\r\n`), K)).toBeUndefined();
  });
});

describe("randomBase62", () => {
  it("draws base62 characters of the length asked, all of them in use", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const s = randomBase62(6);
      expect(s).toMatch(/^[0-9A-Za-z]{6}$/);
      for (const c of s) seen.add(c);
    }
    expect(seen.size).toBe(62);
    expect(randomBase62(22)).toHaveLength(22);
    expect(new Set(Array.from({ length: 1000 }, () => randomBase62(12))).size).toBe(1000);
  });
});

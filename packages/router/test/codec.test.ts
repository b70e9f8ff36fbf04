import { describe, expect, it } from "vitest";
import { BatchReader, BatchWriter } from "../src/codec.js";

describe("batch codec", () => {
  it("round-trips every field type, in order", () => {
    const w = new BatchWriter();
    w.u32(7);
    w.u8(255);
    w.i32(-1);
    w.f64(1.5e300);
    w.str("orders.new");
    w.str("été.ünïcode");
    w.optStr(undefined);
    w.optStr("reply");
    w.bytes(Buffer.from("payload"));
    w.bytes(new Uint8Array(0));
    const r = new BatchReader(w.take());
    expect(r.u32()).toBe(7);
    expect(r.u8()).toBe(255);
    expect(r.i32()).toBe(-1);
    expect(r.f64()).toBe(1.5e300);
    expect(r.str()).toBe("orders.new");
    expect(r.str()).toBe("été.ünïcode");
    expect(r.optStr()).toBeUndefined();
    expect(r.optStr()).toBe("reply");
    expect(Buffer.from(r.bytes()).toString()).toBe("payload");
    expect(r.bytes().length).toBe(0);
    expect(r.done).toBe(true);
  });

  it("grows past its initial size and hands out a buffer that is not reused", () => {
    const w = new BatchWriter();
    const big = Buffer.alloc(100_000, 7);
    for (let i = 0; i < 5; i++) {
      w.str(`s${i}`);
      w.bytes(big);
    }
    const first = w.take();
    w.str("next batch");
    const second = w.take();
    const r = new BatchReader(first);
    for (let i = 0; i < 5; i++) {
      expect(r.str()).toBe(`s${i}`);
      expect(Buffer.from(r.bytes()).equals(big)).toBe(true);
    }
    expect(r.done).toBe(true);
    expect(new BatchReader(second).str()).toBe("next batch");
  });

  it("interns repeated strings: the same subject decodes to the same string", () => {
    const w = new BatchWriter();
    w.str("hot.subject");
    w.str("hot.subject");
    const r = new BatchReader(w.take());
    const a = r.str();
    const b = r.str();
    expect(a).toBe("hot.subject");
    expect(b).toBe(a);
  });

  it("round-trips strings of every length around the native-call threshold, ASCII or not, with the peek/skip readers", () => {
    const w = new BatchWriter();
    const strings: string[] = [];
    for (let n = 0; n <= 80; n++) {
      const ascii = "$JS.ACK.abcdefghijklmnopqrstuvwxyz.0123456789.ABCDEFGHIJKLMNOPQRSTUVWXYZ.!#%&()+,-/:;<=>?@[]^_`{|}~".slice(0, n);
      strings.push(ascii);
      if (n > 0) strings.push(`${ascii.slice(0, n - 1)}ü`, `日${ascii.slice(1)}`);
    }
    for (const s of strings) w.str(s);
    const r = new BatchReader(w.take());
    for (const s of strings) {
      expect(r.peekLength()).toBe(Buffer.byteLength(s));
      expect(r.bytesView.toString("utf8", r.peekStr(), r.peekStr() + r.peekLength())).toBe(s);
      expect(r.str()).toBe(s);
    }
    expect(r.done).toBe(true);
  });

  it("refuses strings over 64 KiB", () => {
    const w = new BatchWriter();
    expect(() => w.str("x".repeat(70_000))).toThrow(RangeError);
  });
});

import { describe, expect, it } from "vitest";
import { decimalDigits, writeDecimal } from "../src/decimal.js";

describe("decimal digits written into bytes", () => {
  it("writes what String() writes, at an offset, for every power of ten and its neighbours up to 2^53", () => {
    const values = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32, Number.MAX_SAFE_INTEGER];
    for (let p = 10; p <= Number.MAX_SAFE_INTEGER; p *= 10) values.push(p - 1, p, p + 1);
    const out = new Uint8Array(40).fill(0x2d);
    for (const n of values) {
      const end = writeDecimal(out, 3, n);
      expect(Buffer.from(out.subarray(3, end)).toString(), `${n}`).toBe(String(n));
      expect(end - 3).toBe(decimalDigits(n));
      expect(out[2]).toBe(0x2d); // nothing written before the offset
      expect(writeDecimal(out, 20, n, decimalDigits(n))).toBe(20 + String(n).length); // digits given
      expect(Buffer.from(out.subarray(20, 20 + String(n).length)).toString()).toBe(String(n));
    }
  });
});

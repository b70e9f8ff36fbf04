import { describe, expect, it } from "vitest";
import { median } from "../dist/scenarios/result.js";

describe("compare's median", () => {
  it("is the middle value of an odd count and the mean of the two middle ones of an even count", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([0.72, 1.02])).toBeCloseTo(0.87, 10);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5])).toBe(5);
  });

  it("leaves its input as it was", () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});

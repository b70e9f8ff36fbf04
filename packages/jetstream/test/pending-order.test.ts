import { describe, expect, it } from "vitest";
import { PendingOrder } from "../dist/pending-order.js";

describe("PendingOrder", () => {
  it("the oldest pending sequence, as acks remove them in any order", () => {
    const pending = new Map<number, true>();
    const order = new PendingOrder();
    for (const seq of [3, 5, 8, 9, 12]) {
      pending.set(seq, true);
      order.push(seq, pending);
    }
    expect(order.oldest(pending)).toBe(3);
    pending.delete(5);
    expect(order.oldest(pending)).toBe(3);
    pending.delete(3);
    expect(order.oldest(pending)).toBe(8);
    expect(order.upTo(pending, 10)).toEqual([8, 9]);
    for (const seq of [8, 9, 12]) pending.delete(seq);
    expect(order.oldest(pending)).toBeUndefined();
    pending.set(20, true);
    order.push(20, pending);
    expect(order.oldest(pending)).toBe(20);
  });

  it("stays exact over a long stream of deliveries and acks (compacting as it drains)", () => {
    const pending = new Map<number, true>();
    const order = new PendingOrder();
    let next = 1;
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 50; i++) {
        pending.set(next, true);
        order.push(next++, pending);
      }
      // Ack all but every 7th, newest first, so holes stay behind the floor for a while.
      for (const seq of [...pending.keys()].reverse()) if (seq % 7 !== 0 || round % 10 === 9) pending.delete(seq);
      expect(order.oldest(pending)).toBe(pending.size === 0 ? undefined : Math.min(...pending.keys()));
    }
  });

  it("reset rebuilds from a restored map", () => {
    const pending = new Map<number, true>([
      [9, true],
      [4, true],
    ]);
    const order = new PendingOrder();
    order.reset(pending);
    expect(order.oldest(pending)).toBe(4);
    expect(order.upTo(pending, 100)).toEqual([4, 9]);
  });

  it("stays small while one old sequence stays pending and many newer ones are acknowledged", () => {
    const pending = new Map<number, true>();
    const order = new PendingOrder();
    pending.set(1, true);
    order.push(1, pending);
    for (let seq = 2; seq < 200_000; seq++) {
      pending.set(seq, true);
      order.push(seq, pending);
      pending.delete(seq);
    }
    expect(order.oldest(pending)).toBe(1);
    expect((order as unknown as { seqs: number[] }).seqs.length).toBeLessThan(2000);
    pending.set(200_000, true);
    order.push(200_000, pending);
    pending.delete(1);
    expect(order.oldest(pending)).toBe(200_000);
  });
});

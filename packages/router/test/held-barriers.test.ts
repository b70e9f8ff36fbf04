import { describe, expect, it } from "vitest";
import { HeldBarriers } from "../src/held-barriers.js";

describe("HeldBarriers", () => {
  it("answers at once when nothing went to other shards", () => {
    const h = new HeldBarriers();
    expect(h.arrive(1, 10)).toEqual({ answerNow: true, ask: [], round: 0 });
  });

  it("holds a barrier until every shard of its round confirmed; later barriers wait behind it, in order", () => {
    const h = new HeldBarriers();
    h.reported(2);
    h.reported(1);
    h.reported(2);
    const first = h.arrive(7, 1);
    expect(first.answerNow).toBe(false);
    expect(first.ask.sort()).toEqual([1, 2]);
    // Nothing new was sent: no new round, but it cannot pass the first.
    expect(h.arrive(8, 2)).toEqual({ answerNow: false, ask: [], round: first.round });
    h.reported(3);
    const third = h.arrive(9, 3);
    expect(third.ask).toEqual([3]);
    // The third's round is confirmed first: nothing goes before the first round is.
    expect(h.confirmed(third.round)).toEqual([]);
    expect(h.confirmed(first.round)).toEqual([]);
    expect(h.confirmed(first.round)).toEqual([
      { cid: 7, token: 1 },
      { cid: 8, token: 2 },
      { cid: 9, token: 3 },
    ]);
    // All confirmed: the next barrier passes at once; a stray confirmation changes nothing.
    expect(h.confirmed(first.round)).toEqual([]);
    expect(h.arrive(7, 4).answerNow).toBe(true);
  });

  it("releases everything when a peer restarted (its confirmations will not come)", () => {
    const h = new HeldBarriers();
    h.reported(1);
    h.arrive(5, 1);
    h.arrive(6, 2);
    expect(h.reset()).toEqual([
      { cid: 5, token: 1 },
      { cid: 6, token: 2 },
    ]);
    expect(h.arrive(5, 3).answerNow).toBe(true);
  });
});

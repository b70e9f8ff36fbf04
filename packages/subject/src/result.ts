/** Building match results: plain subscriptions in one array, queue subscriptions merged by queue name. */
import type { MatchResult, Subscription } from "./types.js";

const NO_SUBS: readonly never[] = Object.freeze([]);

/**
 * A result. A class rather than an object literal on purpose: V8 "pretenures" an object or array literal
 * (allocates it straight into the old generation) once most objects from that literal are seen surviving a
 * minor GC, and cached results do survive. A pretenured result then points at young arrays, so every one of
 * them survives the next minor GC too, and matching with the cache off ran 3x slower for the rest of the
 * process. Class instances and `slice()` copies carry no such allocation-site feedback.
 */
class Result<S extends Subscription> implements MatchResult<S> {
  constructor(
    readonly psubs: readonly S[],
    readonly qsubs: readonly (readonly S[])[],
  ) {}
}

/** Shared by every match that finds nothing, so misses allocate nothing. */
export const EMPTY_RESULT: MatchResult<never> = Object.freeze(new Result<never>(NO_SUBS, NO_SUBS));

/**
 * Accumulates one match. A `Sublist` owns a single builder and reuses it for every match (matching is
 * synchronous and not re-entrant), so the only allocations are the result and its arrays, and none at all
 * when nothing matched. No array literals either, for the pretenuring reason given above.
 */
export class ResultBuilder<S extends Subscription> {
  private psubs: S[] | null = null;
  /** The queue groups found so far, `[0, ngroups)`; copied out by `finish`, which then clears it. */
  private readonly groups: (S[] | null)[] = new Array<S[] | null>(8).fill(null);
  private ngroups = 0;

  addPlain(subs: readonly S[]): void {
    const n = subs.length;
    if (n === 0) return;
    const out = this.psubs;
    // The first contributing node's list is copied with slice (a native copy, ~12% off a typical match);
    // later ones are appended.
    if (out === null) this.psubs = subs.slice();
    else for (let i = 0; i < n; i++) out.push(subs[i]);
  }

  /**
   * Adds one queue group's members from one trie node. Groups of the same name found under different nodes
   * (say `foo.*` and `foo.>`) are one group to the publisher, so they merge into the same inner array, as
   * nats-server's `addNodeToResults`/`findQSlot` do. Groups are few per subject, so a linear scan beats a map.
   */
  addQueue(group: readonly S[]): void {
    const n = group.length;
    if (n === 0) return;
    const groups = this.groups;
    const name = group[0].queue;
    for (let i = 0; i < this.ngroups; i++) {
      const slot = groups[i]!;
      if (slot[0].queue === name) {
        for (let j = 0; j < n; j++) slot.push(group[j]);
        return;
      }
    }
    groups[this.ngroups++] = group.slice();
  }

  /** Returns the result and resets the builder for the next match. */
  finish(): MatchResult<S> {
    const psubs = this.psubs;
    const ngroups = this.ngroups;
    if (psubs === null && ngroups === 0) return EMPTY_RESULT;
    this.psubs = null;
    let qsubs: readonly (readonly S[])[] = NO_SUBS;
    if (ngroups > 0) {
      const groups = this.groups;
      qsubs = groups.slice(0, ngroups) as S[][];
      // Drop the references so finished results are not kept alive (and promoted) through the builder.
      for (let i = 0; i < ngroups; i++) groups[i] = null;
      this.ngroups = 0;
    }
    return new Result(psubs ?? NO_SUBS, qsubs);
  }
}

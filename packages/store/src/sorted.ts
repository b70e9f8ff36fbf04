/** Binary searches over ascending sequences: number arrays, and views that read their i-th sequence. */

/** The first index in [lo, hi) whose value is >= `value` (hi when none). */
export function lowerBound(a: readonly number[], value: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Ascending sequences read by index: an index chunk's, a message block's. */
export interface SeqView {
  readonly size: number;
  seq(i: number): number;
}

/** The first index of `view` whose sequence is >= `seq` (size when none). */
export function lowerBoundSeq(view: SeqView, seq: number): number {
  let lo = 0;
  let hi = view.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (view.seq(mid) < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

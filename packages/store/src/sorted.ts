/** Binary searches over ascending number arrays (sequence lists). */

/** The first index in [lo, hi) whose value is >= `value` (hi when none). */
export function lowerBound(a: readonly number[], value: number, lo = 0, hi = a.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

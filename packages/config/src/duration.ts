/** Nanoseconds per unit, as Go's time.ParseDuration spells them. */
const UNITS: ReadonlyMap<string, bigint> = new Map<string, bigint>([
  ["ns", 1n],
  ["us", 1_000n],
  ["\u00b5s", 1_000n], // micro sign
  ["\u03bcs", 1_000n], // Greek mu
  ["ms", 1_000_000n],
  ["s", 1_000_000_000n],
  ["m", 60_000_000_000n],
  ["h", 3_600_000_000_000n],
]);

const MAX_NANOS = 2n ** 63n - 1n;

/**
 * Milliseconds for a duration as nats-server reads one. A string is a Go
 * duration ("2m", "10s", "1h30m", "500ms", "1.5s", "100us", "10ns", "-1s"; a
 * bare "0" is allowed, any other number needs a unit). A number is seconds,
 * because nats-server reads integer durations such as `ping_interval: 60` as
 * seconds. Throws an Error on anything else.
 */
export function parseDuration(value: string | number, what?: string): number {
  const label = what === undefined ? "duration" : `duration for ${what}`;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`invalid ${label}: ${value}`);
    return value * 1000;
  }
  const nanos = goDurationNanos(value);
  if (typeof nanos === "string") throw new Error(`invalid ${label} "${value}": ${nanos}`);
  return Number(nanos) / 1e6;
}

/** Go's time.ParseDuration, in nanoseconds, or the reason it fails. */
function goDurationNanos(input: string): bigint | string {
  let s = input;
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") return "empty duration";
  let total = 0n;
  while (s !== "") {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s) as RegExpExecArray;
    const whole = m[1];
    const frac = m[2];
    if (whole === "" && (frac === undefined || frac === "")) return "expected a number";
    s = s.slice(m[0].length);
    const unitEnd = s.search(/[0-9.]/);
    const unitText = unitEnd < 0 ? s : s.slice(0, unitEnd);
    if (unitText === "") return "missing unit (use ns, us, ms, s, m or h)";
    const unit = UNITS.get(unitText);
    if (unit === undefined) return `unknown unit "${unitText}" (use ns, us, ms, s, m or h)`;
    s = s.slice(unitText.length);
    let part = (whole === "" ? 0n : BigInt(whole)) * unit;
    if (frac !== undefined && frac !== "") {
      // Go scales the fraction in floating point and truncates, e.g. 1.5s.
      part += BigInt(Math.trunc(Number(`0.${frac}`) * Number(unit)));
    }
    total += part;
    if (total > MAX_NANOS + (negative ? 1n : 0n)) return "out of range";
  }
  return negative ? -total : total;
}

import { ValueError } from "./errors.js";

/** Boolean words, matched case-insensitively. */
export function booleanValue(text: string): boolean {
  switch (text.toLowerCase()) {
    case "true":
    case "yes":
    case "on":
      return true;
    case "false":
    case "no":
    case "off":
      return false;
  }
  throw new ValueError(`expected a boolean, but got '${text}'`);
}

/** A float as the lexer reads one: optional '-', digits, '.', digits (no exponent). */
export function floatValue(text: string): number {
  if (!/^-?[0-9]+\.[0-9]+$/.test(text)) throw new ValueError(`expected a float, but got '${text}'`);
  const n = Number(text);
  if (!Number.isFinite(n)) throw new ValueError(`float '${text}' is out of range`);
  return n;
}

/**
 * A UTC datetime in exactly the form 2006-01-02T15:04:05Z, with the range
 * checks Go's time.Parse makes (no month 13, no 30 February, no second 60).
 */
export function datetimeValue(text: string): Date {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$/.exec(text);
  if (m === null) throw new ValueError(`expected a Zulu formatted datetime, but got '${text}'`);
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59;
  if (!valid) throw new ValueError(`expected a Zulu formatted datetime, but got '${text}'`);
  const d = new Date(0);
  // setUTCFullYear, because Date.UTC maps years 0-99 to 1900-1999.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

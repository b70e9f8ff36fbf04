import { randomInt } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * `n` random base62 characters: the tokens of `_R_.<6>.<6>` response subjects, `$JS.FC` replies,
 * generated consumer names and the 22-character NUID-like ids of advisories.
 */
export function randomBase62(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += BASE62[randomInt(62)];
  return s;
}

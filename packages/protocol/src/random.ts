import { randomFillSync } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * `n` random base62 characters: the tokens of `_R_.<6>.<6>` response subjects, `$JS.FC` replies,
 * generated consumer names and the 22-character NUID-like ids of advisories.
 */
export function randomBase62(n: number): string {
  let s = "";
  while (s.length < n) {
    // Bytes from 248 up would make the first 248 % 62 = 0 characters likelier: they are skipped.
    const b = randomByte();
    if (b < 248) s += BASE62[b % 62];
  }
  return s;
}

/**
 * Random bytes drawn from the OS a pool at a time: a crypto call per character (randomInt) cost more than
 * the rest of a service request's routing (measured: 2% of a shard serving requests across accounts).
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function randomByte(): number {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++];
}

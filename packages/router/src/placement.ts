/**
 * Which shard owns an account: the pinned one, else a hash of the name (stable across restarts and the
 * same on every thread, so nobody needs a table).
 */
export function placeAccount(account: string, shardCount: number, pins: Record<string, number>): number {
  const pinned = pins[account];
  if (pinned !== undefined) return pinned % shardCount;
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < account.length; i++) h = Math.imul(h ^ account.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shardCount;
}

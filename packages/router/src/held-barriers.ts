/**
 * Barriers (a client's PING) that wait until what this shard sent other shards has landed there: interest
 * it reported, and messages it forwarded (a PONG means everything published before it went everywhere it
 * goes, as with nats-server, so a subscription made after it never sees an earlier message).
 *
 * A shard forwards a message to a stream importer only while the importer's shard reports interest in it
 * (import-interest.ts). A client that subscribes and then flushes expects every message published after
 * its PONG to reach it, as with nats-server; but the interest travels to the exporter's shard on a peer
 * channel, and the publish on the front-end's channel, and a worker does not take messages from two
 * channels in the order they were sent. So when a barrier comes after interest went out, the shard asks
 * each shard it reported to for a confirmation (a round: peer channels keep their order, so the answer
 * means everything reported before it was applied), and answers the barrier, and every later one, only
 * once all rounds up to its own are confirmed. Barriers are answered in the order they came.
 */
export class HeldBarriers {
  /** Shards reported to since the last round. */
  private readonly unconfirmed = new Set<number>();
  /** Rounds sent, and the confirmations each still waits for. */
  private round = 0;
  private readonly pending = new Map<number, number>();
  /** Barriers waiting, in arrival order, each with the round it waits for. */
  private held: { cid: number; token: number; round: number }[] = [];

  /** Interest or a message went to shard `shard`. */
  reported(shard: number): void {
    this.unconfirmed.add(shard);
  }

  /**
   * A barrier arrived. Returns the shards to ask for a confirmation in a new round (`round` is its
   * number; `ask` is empty when no new round is needed); `answerNow` says whether it can be answered at once.
   */
  arrive(cid: number, token: number): { answerNow: boolean; ask: number[]; round: number } {
    let ask: number[] = [];
    if (this.unconfirmed.size > 0) {
      ask = [...this.unconfirmed];
      this.unconfirmed.clear();
      this.round++;
      this.pending.set(this.round, ask.length);
    }
    if (this.pending.size === 0) return { answerNow: true, ask, round: this.round };
    this.held.push({ cid, token, round: this.round });
    return { answerNow: false, ask, round: this.round };
  }

  /** A shard confirmed round `round`: the barriers now free to go, in order. */
  confirmed(round: number): { cid: number; token: number }[] {
    const left = this.pending.get(round);
    if (left === undefined) return [];
    if (left > 1) this.pending.set(round, left - 1);
    else this.pending.delete(round);
    return this.release();
  }

  /** A peer restarted: its confirmations will not come. Everything held goes (a crash loses in-flight work). */
  reset(): { cid: number; token: number }[] {
    this.pending.clear();
    return this.release();
  }

  private release(): { cid: number; token: number }[] {
    let oldest = Infinity;
    for (const r of this.pending.keys()) if (r < oldest) oldest = r;
    let n = 0;
    while (n < this.held.length && this.held[n].round < oldest) n++;
    if (n === 0) return [];
    const free = this.held.slice(0, n).map(({ cid, token }) => ({ cid, token }));
    this.held = this.held.slice(n);
    return free;
  }
}

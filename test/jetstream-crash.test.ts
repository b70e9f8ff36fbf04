import { type NatsConnection, connect, headers } from "nats";
import { afterEach, describe, expect, it } from "vitest";
import { api, storeDir } from "./helpers/jetstream.js";
import { type ServerProcess, runServer } from "./helpers/process.js";

/**
 * Crash safety: a publisher gets acks while the server process is killed with SIGKILL at a random
 * moment; after a restart every acknowledged message is there, in order, with its headers, and the
 * sequence numbers continue. Several rounds on the same store.
 */
const running: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop("SIGKILL")));
});

async function start(dir: string): Promise<{ proc: ServerProcess; nc: NatsConnection }> {
  const proc = runServer(["-a", "127.0.0.1", "-p", "-1", "-js", "-sd", dir, "--log_format", "json"]);
  running.push(proc);
  const port = await proc.ready();
  const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false });
  return { proc, nc };
}

interface Acked {
  i: number;
  seq: number;
}

describe("JetStream crash safety", () => {
  it("SIGKILL while publishing loses no acknowledged message, several times over", async () => {
    const dir = storeDir();
    const acked: Acked[] = [];
    let next = 0;
    let seed = 1234567;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);

    for (let round = 0; round < 4; round++) {
      const { proc, nc } = await start(dir);
      if (round === 0) await api(nc, "STREAM.CREATE.CRASH", { name: "CRASH", subjects: ["crash.>"] });
      const js = nc.jetstream();
      const killAfter = acked.length + 200 + (rand() % 1500);
      let dead = false;
      const inflight = new Set<Promise<void>>();
      // Publish with up to 256 acks outstanding until the kill.
      while (!dead) {
        const i = next++;
        const h = headers();
        h.set("X-I", String(i));
        const p = js.publish(`crash.${i % 7}`, new TextEncoder().encode(`payload-${i}`), { headers: h }).then(
          (ack) => {
            acked.push({ i, seq: ack.seq });
            if (acked.length >= killAfter && !dead) {
              dead = true;
              proc.child.kill("SIGKILL");
            }
          },
          () => {
            dead = true;
          },
        );
        const tracked = p.finally(() => inflight.delete(tracked));
        inflight.add(tracked);
        if (inflight.size >= 256) await Promise.race(inflight);
      }
      await proc.exited;
      await Promise.allSettled(inflight);
      await nc.close().catch(() => {});
    }

    const { nc } = await start(dir);
    const info = await api(nc, "STREAM.INFO.CRASH");
    const lastSeq = (info.state as { last_seq: number }).last_seq;
    acked.sort((a, b) => a.i - b.i);
    // In publish order, acknowledged sequences only go up.
    for (let k = 1; k < acked.length; k++) expect(acked[k].seq).toBeGreaterThan(acked[k - 1].seq);
    expect(lastSeq).toBeGreaterThanOrEqual(acked[acked.length - 1].seq);
    // Every acknowledged message is there, with its payload and header.
    const sample = acked.filter((_, k) => k % 7 === 0 || k === acked.length - 1);
    for (const a of sample) {
      const r = await api(nc, "STREAM.MSG.GET.CRASH", { seq: a.seq });
      const m = r.message as { data: string; hdrs: string; subject: string } | undefined;
      expect(m, `seq ${a.seq} (message ${a.i})`).toBeDefined();
      expect(Buffer.from(m!.data, "base64").toString()).toBe(`payload-${a.i}`);
      expect(Buffer.from(m!.hdrs, "base64").toString()).toContain(`X-I: ${a.i}`);
      expect(m!.subject).toBe(`crash.${a.i % 7}`);
    }
    // Sequences continue after the last stored one.
    const ack = await nc.jetstream().publish("crash.after", "x");
    expect(ack.seq).toBe(lastSeq + 1);
    await nc.close();
  }, 120_000);

  it("SIGKILL while a durable consumer is acking: nothing unacknowledged is lost, the consumer carries on", async () => {
    const dir = storeDir();
    const TOTAL = 3000;
    let { proc, nc } = await start(dir);
    await api(nc, "STREAM.CREATE.WORK", { name: "WORK", subjects: ["work"] });
    const js = nc.jetstream();
    await Promise.all(Array.from({ length: TOTAL }, (_, i) => js.publish("work", new TextEncoder().encode(String(i)))));
    await api(nc, "CONSUMER.DURABLE.CREATE.WORK.W", { stream_name: "WORK", config: { durable_name: "W", ack_policy: "explicit", ack_wait: 500_000_000 } });
    const acked = new Set<number>();
    for (let round = 0; round < 3; round++) {
      // Consume and ack until about a third more is acked, then kill the server mid-stream.
      const target = Math.min(TOTAL, acked.size + 1000);
      const c = await nc.jetstream().consumers.get("WORK", "W");
      const it = await c.consume({ max_messages: 200 });
      for await (const m of it) {
        // The ack is confirmed by the server before it counts.
        if (await m.ackAck().catch(() => false)) acked.add(m.seq);
        if (acked.size >= target) break;
      }
      proc.child.kill("SIGKILL");
      await proc.exited;
      await nc.close().catch(() => {});
      ({ proc, nc } = await start(dir));
    }
    // After the crashes: every message not yet acknowledged still comes (acked ones may come again, once
    // their ack_wait runs out: acks of the last moments before a kill may be forgotten, as with nats-server).
    const c = await nc.jetstream().consumers.get("WORK", "W");
    const seen = new Set<number>(acked);
    const settled = async () => {
      const i = await api(nc, "CONSUMER.INFO.WORK.W");
      return i.num_pending === 0 && i.num_ack_pending === 0;
    };
    while (seen.size < TOTAL || !(await settled())) {
      const got = await c.fetch({ max_messages: 500, expires: 1000 });
      for await (const m of got) {
        seen.add(m.seq);
        await m.ackAck();
      }
    }
    expect(seen.size).toBe(TOTAL);
    const info = await api(nc, "CONSUMER.INFO.WORK.W");
    expect((info.ack_floor as { stream_seq: number }).stream_seq).toBe(TOTAL);
    await nc.close();
  }, 120_000);
});

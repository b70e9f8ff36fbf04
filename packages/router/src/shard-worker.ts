import type { MessagePort } from "node:worker_threads";
import type { ShardControl, ShardTask } from "./hosts.js";
import { Shard } from "./shard.js";

/**
 * The piscina task that is a shard: it runs until told to stop. Batches from the front-end and from
 * peer shards arrive on ports (each peer's port comes in a "peer" control message, first thing on the main
 * port); the shard's output leaves on them, transferred (not copied again).
 */
export default function runShard(task: ShardTask): Promise<string> {
  const { cfg, mainPort } = task;
  const peers: (MessagePort | undefined)[] = [];
  const shard = new Shard(cfg, {
    toMain: (batch) => mainPort.postMessage(batch, [batch]),
    toPeer: (i, batch) => peers[i]?.postMessage(batch, [batch]),
  });
  const onPeer = (m: unknown) => {
    if (m instanceof ArrayBuffer) shard.handlePeer(m);
  };
  const sweeper = setInterval(() => shard.sweep(Date.now()), 1000);
  return new Promise((resolve) => {
    mainPort.on("message", (m: ArrayBuffer | ShardControl) => {
      if (m instanceof ArrayBuffer) {
        shard.handleMain(m);
        return;
      }
      switch (m.type) {
        case "peer":
          peers[m.index]?.close();
          peers[m.index] = m.port;
          m.port.on("message", onPeer);
          break;
        case "crash":
          // The test hook: die like a shard with a bug would, from an uncaught exception.
          setImmediate(() => {
            throw new Error(`shard ${cfg.index}: crash requested`);
          });
          break;
        case "stop":
          clearInterval(sweeper);
          shard.close();
          for (const p of peers) p?.close();
          mainPort.close();
          resolve("stopped");
          break;
      }
    });
  });
}

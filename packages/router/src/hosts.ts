import { MessageChannel, type MessagePort } from "node:worker_threads";
import { Piscina } from "piscina";
import { Shard, type ShardConfig } from "./shard.js";

/**
 * Where a shard runs. The front-end talks to every host the same way: batches in (`send`), batches out
 * (`onBatch`), and peers reached through ports the router wires up. A host reports when its shard died.
 */
export interface ShardHost {
  /** Starts (or restarts) the shard. `peers[j]` reaches shard j (undefined for itself). */
  start(cfg: ShardConfig, peers: (PeerLink | undefined)[]): void;
  send(batch: ArrayBuffer): void;
  /** Replaces the link to peer `index` (that peer restarted). */
  setPeer(index: number, link: PeerLink): void;
  /** Stops the shard for good. */
  close(): Promise<void>;
  /** Test hook: make the shard die as if it had crashed. */
  crash(): void;
}

export interface ShardHostEvents {
  onBatch(batch: ArrayBuffer): void;
  /** The shard died (worker exit or uncaught error); the router restarts it. */
  onExit(err: Error): void;
}

/** One end of a shard-to-shard connection: a MessagePort between workers, or a direct call in-process. */
export type PeerLink = MessagePort | InProcessPeer;

export interface InProcessPeer {
  readonly inProcess: true;
  deliver(batch: ArrayBuffer): void;
}

/**
 * The shard in the main thread: same code and same batches, handed over by microtask instead of a port
 * (for tests and debugging, and for one-core machines).
 */
export class InProcessHost implements ShardHost {
  private shard: Shard | undefined;
  private peers: (PeerLink | undefined)[] = [];

  constructor(private readonly events: ShardHostEvents) {}

  /** The link other in-process shards use to reach this one. */
  readonly link: InProcessPeer = {
    inProcess: true,
    deliver: (batch) => queueMicrotask(() => this.shard?.handlePeer(batch)),
  };

  start(cfg: ShardConfig, peers: (PeerLink | undefined)[]): void {
    this.peers = [...peers];
    this.shard = new Shard(cfg, {
      toMain: (batch) => queueMicrotask(() => this.events.onBatch(batch)),
      toPeer: (i, batch) => {
        const p = this.peers[i];
        if (p !== undefined && "inProcess" in p) p.deliver(batch);
      },
    });
    this.sweeper = setInterval(() => this.shard?.sweep(Date.now()), 1000);
    this.sweeper.unref();
  }

  private sweeper: NodeJS.Timeout | undefined;

  send(batch: ArrayBuffer): void {
    queueMicrotask(() => this.shard?.handleMain(batch));
  }

  setPeer(index: number, link: PeerLink): void {
    this.peers[index] = link;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.shard?.close();
    this.shard = undefined;
  }

  crash(): void {
    clearInterval(this.sweeper);
    this.shard = undefined;
    queueMicrotask(() => this.events.onExit(new Error("in-process shard crashed (test hook)")));
  }
}

/** Control messages on a worker shard's main port (batches are bare ArrayBuffers). */
export type ShardControl = { type: "peer"; index: number; port: MessagePort } | { type: "stop" } | { type: "crash" };

/** What the worker's piscina task receives (its peers' ports follow as "peer" control messages). */
export interface ShardTask {
  cfg: ShardConfig;
  mainPort: MessagePort;
}

/**
 * The shard in a worker thread, supervised by piscina (one pool per shard, one thread, no idle timeout).
 * The pool's one long-running task is the shard itself; batches flow over a MessagePort both ways. When
 * the thread dies, piscina rejects the task and replaces the thread; the router then starts the shard
 * again on it.
 */
export class WorkerHost implements ShardHost {
  private readonly pool: Piscina;
  private port: MessagePort | undefined;
  private closing = false;
  /** Settles when the running shard task ends (stopped, or its thread died). */
  private task: Promise<unknown> = Promise.resolve();

  constructor(
    workerFile: string,
    private readonly events: ShardHostEvents,
  ) {
    this.pool = new Piscina({
      filename: workerFile,
      minThreads: 1,
      maxThreads: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      // With 'sync' the worker's event loop does not run between tasks: ports and timers would stall.
      atomics: "disabled",
    });
  }

  start(cfg: ShardConfig, peers: (PeerLink | undefined)[]): void {
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.port.on("message", (m: unknown) => {
      if (m instanceof ArrayBuffer) this.events.onBatch(m);
    });
    const task: ShardTask = { cfg, mainPort: channel.port2 };
    this.task = this.pool.run(task, { transferList: [channel.port2] as never });
    // Peer ports go as control messages, each on its own: when two shards die together, the port to the
    // other dying one is already closed, and in the task's transfer list it would fail the whole start.
    for (let j = 0; j < peers.length; j++) {
      const p = peers[j];
      if (p !== undefined) this.setPeer(j, p);
    }
    this.task.then(
      () => {
        if (!this.closing) this.events.onExit(new Error("shard task ended"));
      },
      (err: Error) => {
        if (!this.closing) this.events.onExit(err);
      },
    );
  }

  send(batch: ArrayBuffer): void {
    this.port?.postMessage(batch, [batch]);
  }

  setPeer(index: number, link: PeerLink): void {
    if ("inProcess" in link) return;
    const msg: ShardControl = { type: "peer", index, port: link };
    try {
      this.port?.postMessage(msg, [link]);
    } catch {
      // The other end died meanwhile (its worker is gone): when that shard restarts it pairs again.
    }
  }

  /**
   * Stops the shard: it commits and closes its stores and ends its task; only then is the thread torn
   * down (terminating a thread in the middle of an LMDB commit is how data gets hurt).
   */
  async close(): Promise<void> {
    this.closing = true;
    const msg: ShardControl = { type: "stop" };
    this.port?.postMessage(msg);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.task.catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    this.port?.close();
    await this.pool.destroy();
  }

  crash(): void {
    const msg: ShardControl = { type: "crash" };
    this.port?.postMessage(msg);
  }
}

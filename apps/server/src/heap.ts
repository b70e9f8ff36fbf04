import { setFlagsFromString } from "node:v8";

/**
 * V8's initial heap size for the broker's threads, in MB.
 *
 * V8 starts an isolate with an old-generation limit barely above what a small heap holds, and begins a
 * full (mark-compact) collection whenever the room left under that limit is less than the young
 * generation's capacity. A broker's heap is small (~10 MB live) but it allocates fast, so with the default
 * limit the front-end and each shard ran a full collection every 100-250 ms while messages flowed, and
 * the collector's helper threads took as much CPU as the front-end itself. With room for 64 MB before the
 * first full collection (later limits grow from it), a run of 200k JetStream messages saw 0-3 of them per
 * thread instead of 10-12 (measured with --trace-gc). The cost is memory: up to that much garbage per
 * thread before a collection, given back when idle by V8's memory reducer.
 *
 * The main thread's heap is configured before any of our code runs, so the command line carries the flag
 * (`pnpm start`, the `tsnats-server` executable); shards are isolates created later, so setting the flag
 * here before they start reaches them.
 */
const INITIAL_HEAP_MB = 64;
const HEAP_FLAG = `--initial-heap-size=${INITIAL_HEAP_MB}`;

/** Gives the shard threads started from now on the initial heap size, unless the command line chose one. */
export function configureShardHeap(): void {
  if (process.execArgv.some((a) => a.startsWith("--initial-heap-size") || a.startsWith("--initial_heap_size"))) return;
  setFlagsFromString(HEAP_FLAG);
}

import { runCli } from "./cli.js";
import { configureShardHeap } from "./heap.js";

/**
 * Entry point of the `tsnats-server` executable. Exits explicitly once the server has stopped, so a
 * stray handle can never keep a stopped server's process alive.
 */
configureShardHeap();
process.exit(await runCli(process.argv.slice(2)));

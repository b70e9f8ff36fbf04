#!/usr/bin/env -S node --initial-heap-size=64 --v8-pool-size=1
// The installed entry point: the compiled CLI lives in ../dist (built by `tsc -b`). The Node flags: see the
// README ("The CLI") and src/heap.ts.
import "../dist/main.js";

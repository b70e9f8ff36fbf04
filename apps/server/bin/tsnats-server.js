#!/usr/bin/env -S node --initial-heap-size=64
// The installed entry point: the compiled CLI lives in ../dist (built by `tsc -b`). The V8 flag: see src/heap.ts.
import "../dist/main.js";

#!/usr/bin/env node
// The installed entry point: the compiled tool lives in ../dist (built by `tsc -b`).
import "../dist/main.js";

#!/usr/bin/env node
// The installed entry point: the compiled CLI lives in ../dist (built by `tsc -b`).
import "../dist/main.js";

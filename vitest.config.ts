import { defineConfig } from "vitest/config";

// Tests run against the compiled packages (dist/), the same code the CLI runs;
// `pnpm test` builds with `tsc -b` first.
export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

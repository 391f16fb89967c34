import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

// The full reliability run (npm run test:reliability): soak, chaos and fuzzing at full size, one file at
// a time so the load generator and the server each keep a core. Prints a summary table at the end.
export default defineConfig({
  test: {
    include: ["test/reliability/**/*.test.ts", "test/fuzz/frames.test.ts"],
    exclude: ["**/node_modules/**"],
    globalSetup: ["test/reliability/summary.setup.ts"],
    env: { WSE_RELIABILITY_OUT: resolve(".reliability/rows") },
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: "forks",
    execArgv: ["--expose-gc"],
    fileParallelism: false,
  },
});

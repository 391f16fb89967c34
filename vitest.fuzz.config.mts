import { defineConfig } from "vitest/config";

// `npm run test:fuzz`: property tests with many more cases than the normal suite runs.
export default defineConfig({
  test: {
    include: ["test/fuzz/**/*.test.ts"],
    testTimeout: 30 * 60_000,
    pool: "forks",
  },
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/fuzz/**", "test/reliability/**", "**/node_modules/**"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Builds dist/ when stale: CLI, packaging and consumer-project tests run the compiled output.
    globalSetup: ["test/global-setup.ts"],
  },
});

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Docs snippets and examples import the package by name, as users do.
    alias: [
      { find: /^ws-endpoints\/testing$/, replacement: src("testing/index.ts") },
      { find: /^ws-endpoints\/redis$/, replacement: src("redis/index.ts") },
      { find: /^ws-endpoints\/broker$/, replacement: src("broker/index.ts") },
      { find: /^ws-endpoints\/asyncapi$/, replacement: src("asyncapi/index.ts") },
      { find: /^ws-endpoints\/contract$/, replacement: src("contract/index.ts") },
      { find: /^ws-endpoints\/browser$/, replacement: src("browser/index.ts") },
      { find: /^ws-endpoints\/pipeline$/, replacement: src("pipeline/index.ts") },
      { find: /^ws-endpoints$/, replacement: src("index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts", "docs/snippets/**/*.test.ts"],
    exclude: ["test/fuzz/**", "test/reliability/**", "**/node_modules/**"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Builds dist/ when stale: CLI, packaging and consumer-project tests run the compiled output.
    globalSetup: ["test/global-setup.ts"],
    execArgv: ["--expose-gc"],
  },
});

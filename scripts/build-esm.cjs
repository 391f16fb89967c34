#!/usr/bin/env node
// Writes the ESM entry points (dist/esm/*.mjs + .d.mts) as thin wrappers over the CommonJS build.
//
// Why wrappers and not a second compilation: a second copy of the code would mean two endpoint
// registries, two `Session` classes (`instanceof` and design:paramtypes checks fail across them) and
// two tsyringe containers the moment an app mixes `import` and `require` (the CLI is CommonJS and
// loads ESM user modules). One runtime copy, two module formats, no dual-package hazard.
"use strict";
const { mkdirSync, writeFileSync, existsSync, rmSync } = require("node:fs");
const { join, relative } = require("node:path");

require("reflect-metadata");
const root = join(__dirname, "..");
const ENTRIES = [
  ["index", "dist/src/index.js"],
  ["testing", "dist/src/testing/index.js"],
  ["redis", "dist/src/redis/index.js"],
  ["broker", "dist/src/broker/index.js"],
  ["asyncapi", "dist/src/asyncapi/index.js"],
  ["contract", "dist/src/contract/index.js"],
  ["pipeline", "dist/src/pipeline/index.js"],
  ["recovery", "dist/src/recovery/index.js"],
];

const out = join(root, "dist", "esm");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const [name, cjsPath] of ENTRIES) {
  const file = join(root, cjsPath);
  if (!existsSync(file)) continue; // an entry whose sources are not on this branch yet
  const names = Object.keys(require(file)).filter((k) => k !== "__esModule" && k !== "default").sort();
  const from = relative(out, file).split("\\").join("/");
  const js =
    `// ESM entry of ws-endpoints: re-exports the CommonJS build so one copy of the runtime exists.\n` +
    `import cjs from "${from}";\n` +
    (names.length > 0 ? `export const {\n${names.map((n) => `  ${n},`).join("\n")}\n} = cjs;\n` : "");
  writeFileSync(join(out, `${name}.mjs`), js);
  writeFileSync(join(out, `${name}.d.mts`), `export * from "${from}";\n`);
}
writeFileSync(join(out, "package.json"), `${JSON.stringify({ type: "module" }, null, 2)}\n`);

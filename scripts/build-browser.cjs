#!/usr/bin/env node
// Builds ws-endpoints/browser as a real ES module: one bundled file, dist/browser/index.js, that a page
// loads with <script type="module"> and bundlers take as is (not the CommonJS wrappers of build-esm.cjs:
// the browser client shares no runtime state with the Node entries, so one copy of it is no hazard).
// esbuild bundles (the client is several small modules; one file is one request and what the size test
// measures); tsc writes the declarations, checked without Node's types.
"use strict";
const { execFileSync } = require("node:child_process");
const { mkdirSync, rmSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");
const esbuild = require("esbuild");

const root = join(__dirname, "..");
const out = join(root, "dist", "browser");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
esbuild.buildSync({
  entryPoints: [join(root, "src", "browser", "index.ts")],
  outfile: join(out, "index.js"),
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  sourcemap: true,
  sourcesContent: true,
  legalComments: "none",
  tsconfig: join(root, "tsconfig.browser.json"),
  logLevel: "warning",
});
execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.browser.json")], { cwd: root, stdio: "inherit" });
writeFileSync(join(out, "package.json"), `${JSON.stringify({ type: "module" }, null, 2)}\n`);

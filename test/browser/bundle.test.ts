import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { buildSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli-process.js";

/** The size budget of ws-endpoints/browser, minified and gzipped (issue #20). */
const BUDGET = 5 * 1024;

function bundle(minify: boolean): string {
  const out = buildSync({
    entryPoints: [join(ROOT, "src", "browser", "index.ts")],
    bundle: true,
    minify,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
    tsconfig: join(ROOT, "tsconfig.browser.json"),
  });
  return out.outputFiles[0]!.text;
}

describe("ws-endpoints/browser bundle", () => {
  it(`is at most ${BUDGET} bytes minified and gzipped`, () => {
    const size = gzipSync(bundle(true), { level: 9 }).length;
    expect(size).toBeGreaterThan(1000); // it did bundle the client
    expect(size).toBeLessThanOrEqual(BUDGET);
  });

  it("imports nothing: no runtime dependency, no Node built-in, no Node global", () => {
    const code = bundle(false);
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/\brequire\(|\bimport\(|node:|\bprocess\.|\bBuffer\b|\bglobal\./);
  });

  it("dist/browser/index.js is the ES module build, exporting what the source exports", async () => {
    const file = join(ROOT, "dist", "browser", "index.js");
    expect(readFileSync(file, "utf8")).toMatch(/^export \{/m);
    expect(JSON.parse(readFileSync(join(ROOT, "dist", "browser", "package.json"), "utf8"))).toEqual({ type: "module" });
    const built = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const source = (await import("../../src/browser/index.js")) as Record<string, unknown>;
    expect(Object.keys(built).sort()).toEqual(Object.keys(source).sort());
  });
});

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, posix } from "node:path";
import { publint } from "publint";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/cli-process.js";

interface PackedFile {
  path: string;
  size: number;
}

let files: string[] = [];
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  exports: Record<string, unknown>;
  license?: string;
  repository?: unknown;
  homepage?: string;
  bugs?: unknown;
};
const REPO = "https://github.com/ws-endpoints/ws-endpoints";
// The Redis entry point is declared now and built on the broker branch; until it lands here, its
// missing files are the only publint findings tolerated.
const REDIS_PENDING = !existsSync(join(ROOT, "src", "redis", "index.ts"));

beforeAll(() => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  files = (JSON.parse(out) as Array<{ files: PackedFile[] }>)[0]!.files.map((f) => f.path);
}, 60_000);

describe("npm pack contents", () => {
  it("ships the CommonJS build, its declarations, the ESM entries, the browser module and the CLI", () => {
    for (const f of [
      "package.json",
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/src/testing/index.js",
      "dist/src/cli/main.js",
      "dist/decorators/metadata.js",
      "dist/esm/index.mjs",
      "dist/esm/index.d.mts",
      "dist/esm/testing.mjs",
      "dist/esm/broker.mjs",
      "dist/esm/broker.d.mts",
      "dist/esm/asyncapi.mjs",
      "dist/esm/asyncapi.d.mts",
      "dist/esm/recovery.mjs",
      "dist/esm/recovery.d.mts",
      "dist/src/recovery/index.d.ts",
      "dist/esm/contract.mjs",
      "dist/esm/contract.d.mts",
      "dist/src/contract/index.d.ts",
      "dist/esm/pipeline.mjs",
      "dist/esm/pipeline.d.mts",
      "dist/src/pipeline/index.d.ts",
      "dist/src/broker/index.d.ts",
      "dist/src/asyncapi/index.d.ts",
      "dist/esm/package.json",
      "dist/browser/index.js",
      "dist/browser/package.json",
      "dist/browser/types/browser/index.d.ts",
      "dist/browser/types/contract/contract.d.ts",
      "CHANGELOG.md",
    ]) {
      expect(files, f).toContain(f);
    }
  });

  it("ships only built code, its source maps and docs: no tests, fixtures, sources, examples or benchmarks", () => {
    const allowed = /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|docs\/[^/]+\.md|dist\/(src|decorators|esm|browser)\/.+\.(js|mjs|d\.ts|d\.mts|json|js\.map))$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|tests|__tests__|fixtures)\//.test(f) || /\.(test|spec)\./.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith("dist/esm/") && !/^dist\/esm\/[a-z]+\.(mjs|d\.mts)$|^dist\/esm\/package\.json$/.test(f))).toEqual([]);
  });

  it("every sourceMappingURL in a shipped file names a shipped map that carries its sources", () => {
    const broken: string[] = [];
    let mapped = 0;
    for (const f of files.filter((x) => /\.(m?js|d\.m?ts)$/.test(x))) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(ROOT, f), "utf8"))?.[1];
      if (url === undefined) continue;
      mapped++;
      const map = posix.join(posix.dirname(f), url);
      if (!files.includes(map)) {
        broken.push(`${f} -> ${map} (not shipped)`);
        continue;
      }
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(ROOT, map), "utf8")) as { sources: string[]; sourcesContent?: Array<string | null> };
      if (sourcesContent?.length !== sources.length || sourcesContent.some((c) => typeof c !== "string")) broken.push(`${map} lacks sourcesContent`);
    }
    expect(broken).toEqual([]);
    expect(mapped).toBeGreaterThan(50);
  });

  it("ships an MIT LICENSE and says where the project lives", () => {
    expect(files).toContain("LICENSE");
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(pkg.license).toBe("MIT");
    expect(pkg.repository).toEqual({ type: "git", url: "git+https://github.com/ws-endpoints/ws-endpoints.git" });
    expect(pkg.homepage).toBe(`${REPO}#readme`);
    expect(pkg.bugs).toEqual({ url: `${REPO}/issues` });
  });

  it("README's links work on the registry page: absolute, and naming files that exist in this repository", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(links.filter((l) => !/^(https?:\/\/|#)/.test(l))).toEqual([]);
    const ours = links
      .map((l) => new RegExp(`^(?:${REPO}/(?:blob|tree)/main|https://raw\\.githubusercontent\\.com/ws-endpoints/ws-endpoints/main)/(.+)$`).exec(l)?.[1])
      .filter((p): p is string => p !== undefined);
    expect(ours.length).toBeGreaterThan(15);
    expect(ours.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it("ships no secrets or local configuration", () => {
    const secret = /(^|\/)(\.env(\..*)?|\.npmrc|\.netrc|id_rsa.*|.*\.pem|.*\.key|.*\.p12|credentials.*|\.git\/.*)$/i;
    expect(files.filter((f) => secret.test(f))).toEqual([]);
  });

  it("shipped declarations carry no @internal member (stripInternal): internals are not public API", () => {
    const leaked = files.filter((f) => /\.d\.m?ts$/.test(f) && readFileSync(join(ROOT, f), "utf8").includes("@internal"));
    expect(leaked).toEqual([]);
  });

  it("every module imported by a shipped declaration file is a dependency (or built in)", () => {
    const allowed = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies ?? {})]);
    const missing = new Set<string>();
    for (const f of files.filter((x) => /\.d\.m?ts$/.test(x))) {
      // Code only: TSDoc @example blocks import "ws-endpoints", "express" and the like.
      const text = readFileSync(join(ROOT, f), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        if (spec!.startsWith(".") || spec!.startsWith("node:") || builtinModules.includes(spec!)) continue;
        const name = spec!.startsWith("@") ? spec!.split("/").slice(0, 2).join("/") : spec!.split("/")[0]!;
        const typesName = name.startsWith("@") ? `@types/${name.slice(1).replace("/", "__")}` : `@types/${name}`;
        if (!allowed.has(name) && !allowed.has(typesName)) missing.add(`${f} imports ${spec}`);
        if (allowed.has(name) && !allowed.has(typesName) && !hasOwnTypes(name)) missing.add(`${f} imports ${spec}, whose types (${typesName}) are not a dependency`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});

function hasOwnTypes(name: string): boolean {
  const p = JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8")) as { types?: string; typings?: string; exports?: unknown };
  return p.types !== undefined || p.typings !== undefined || JSON.stringify(p.exports ?? {}).includes('"types"');
}

describe("publint", () => {
  it("reports no errors or warnings for the package", async () => {
    const { messages } = await publint({ pkgDir: ROOT, level: "warning", pack: "npm" });
    const relevant = messages.filter((m) => !(REDIS_PENDING && m.path.join(".").includes("./redis")));
    expect(relevant.map((m) => `${m.type} ${m.code} ${m.path.join(".")}`)).toEqual([]);
  }, 60_000);
});

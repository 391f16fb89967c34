// Reproduces the two FAQ entries on decorator setup in a fresh project: what the user sees, and the fix.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..", "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
const VITEST = join(ROOT, "node_modules", "vitest", "vitest.mjs");
const snippet = (path: string) => readFileSync(join(ROOT, "docs", "snippets", path), "utf8");
let dir = "";

const INLINE_TEST = `import "reflect-metadata";
import { expect, it } from "vitest";
import { OnMessage, PathParam, ServerEndpoint, Session } from "ws-endpoints";
import { TestServer } from "ws-endpoints/testing";

@ServerEndpoint("/t/{n}")
class T {
  @OnMessage() m(text: string, session: Session, @PathParam("n") n: number) {
    return \`\${text}:\${typeof n}:\${session.isOpen()}\`;
  }
}

it("an endpoint declared in the test", async () => {
  const server = await TestServer.start([T]);
  const client = await server.connect("/t/3");
  await client.send("x");
  expect(await client.nextText()).toBe("x:number:true");
  await server.close();
});
`;

function tsc(tsconfig: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [TSC, "-p", tsconfig], { cwd: dir, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

function vitest(): { status: number | null; out: string } {
  // The child must not take this run's worker settings for its own.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && k !== "NODE_OPTIONS"));
  const r = spawnSync(process.execPath, [VITEST, "run", "--root", dir], { cwd: dir, env, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wse-faq-decorators-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "faq", version: "1.0.0", private: true }));
  writeFileSync(join(dir, "tsconfig.json"), snippet("getting-started/project-tsconfig.json"));
  mkdirSync(join(dir, "src"));
  mkdirSync(join(dir, "test"));
  writeFileSync(join(dir, "src", "echo-endpoint.ts"), snippet("getting-started/echo-endpoint.ts"));
  writeFileSync(join(dir, "src", "main.ts"), snippet("getting-started/main.ts"));
  writeFileSync(join(dir, "test", "inline.test.ts"), INLINE_TEST);
  // A copy of the built package, as npm installs it (vitest compiles files it finds outside node_modules).
  const pkg = join(dir, "node_modules", "ws-endpoints");
  mkdirSync(pkg, { recursive: true });
  cpSync(join(ROOT, "package.json"), join(pkg, "package.json"));
  cpSync(join(ROOT, "dist"), join(pkg, "dist"), { recursive: true, filter: (src) => !src.endsWith(".map") });
  // What npm would install beside it: its dependencies and peers, linked to the repository's copies.
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
  const deps = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((d) => existsSync(join(ROOT, "node_modules", d)));
  for (const dep of [...deps, "@types/node", "vitest"]) {
    mkdirSync(join(dir, "node_modules", dep, ".."), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", dep), join(dir, "node_modules", dep), "dir");
  }
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("docs/faq.md: decorator setup", () => {
  it("without experimentalDecorators tsc reports TS1241/TS1206, and the emitted program stops at load naming the fix", () => {
    const config = JSON.parse(snippet("getting-started/project-tsconfig.json")) as { compilerOptions: Record<string, unknown> };
    delete config.compilerOptions.experimentalDecorators;
    writeFileSync(join(dir, "tsconfig.only-metadata.json"), JSON.stringify(config));
    expect(tsc("tsconfig.only-metadata.json").out).toContain("error TS5052: Option 'emitDecoratorMetadata' cannot be specified without specifying option 'experimentalDecorators'.");
    delete config.compilerOptions.emitDecoratorMetadata;
    writeFileSync(join(dir, "tsconfig.no-decorators.json"), JSON.stringify(config));
    const build = tsc("tsconfig.no-decorators.json");
    expect(build.status).not.toBe(0);
    expect(build.out).toContain("error TS1241: Unable to resolve signature of method decorator when called as an expression.");
    expect(build.out).toContain("error TS1206: Decorators are not valid here.");
    const run = spawnSync(process.execPath, ["dist/main.js"], { cwd: dir, env: { ...process.env, PORT: "0" }, encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("TypeError: ws-endpoints: @OnOpen() was applied as a standard (TC39) decorator");
    expect(run.stderr).toContain('Set "experimentalDecorators": true and "emitDecoratorMetadata": true');
  }, 120_000);

  it("a test file outside the tsconfig include fails under vitest; test/tsconfig.json from the FAQ fixes it and the build still passes", () => {
    const failing = vitest();
    expect(failing.status).toBe(1);
    expect(failing.out).toContain("Decorators are not valid here.");
    writeFileSync(join(dir, "test", "tsconfig.json"), snippet("faq/test-tsconfig.json"));
    const fixed = vitest();
    expect(fixed.out).toContain("1 passed");
    expect(fixed.status).toBe(0);
    rmSync(join(dir, "dist"), { recursive: true, force: true });
    expect(tsc("tsconfig.json")).toEqual({ status: 0, out: "" });
    expect(readdirSync(join(dir, "dist")).sort()).toEqual(["echo-endpoint.js", "main.js"]);
  }, 120_000);
});

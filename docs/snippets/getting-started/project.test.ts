// Builds the getting-started project exactly as the page shows it, compiles it with tsc and runs it.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";

const ROOT = join(__dirname, "..", "..", "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
const page = readFileSync(join(ROOT, "docs", "getting-started.md"), "utf8");

/** The code block the page shows under `<!-- snippet: path -->`. */
function shown(path: string): string {
  const m = new RegExp(`<!-- snippet: ${path.replace(/[.]/g, "\\.")} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(page);
  if (!m) throw new Error(`docs/getting-started.md shows no ${path}`);
  return `${m[1]!}\n`;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh project: package.json, the page's tsconfig.json and src/ files, the packages it installs. */
function project(type: "commonjs" | "module"): string {
  const dir = mkdtempSync(join(tmpdir(), "wse-getting-started-"));
  dirs.push(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "echo-server", version: "1.0.0", private: true, type }));
  writeFileSync(join(dir, "tsconfig.json"), shown("docs/snippets/getting-started/project-tsconfig.json"));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "echo-endpoint.ts"), shown("docs/snippets/getting-started/echo-endpoint.ts"));
  writeFileSync(join(dir, "src", "main.ts"), shown("docs/snippets/getting-started/main.ts"));
  // The built package (dist/, made by the global setup) resolved by name through its exports map.
  mkdirSync(join(dir, "node_modules", "@types"), { recursive: true });
  symlinkSync(ROOT, join(dir, "node_modules", "ws-endpoints"), "dir");
  for (const dep of ["reflect-metadata", "@types/node"]) symlinkSync(join(ROOT, "node_modules", dep), join(dir, "node_modules", dep), "dir");
  return dir;
}

async function runAsPasted(dir: string): Promise<void> {
  expect(execFileSync(process.execPath, [TSC, "-p", "tsconfig.json"], { cwd: dir, encoding: "utf8", timeout: 120_000 })).toBe("");
  const child = spawn(process.execPath, ["dist/main.js"], { cwd: dir, env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
  try {
    let out = "";
    let err = "";
    child.stderr.on("data", (d) => (err += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "listening on" line; stdout ${out}, stderr ${err}`)), 30_000);
      child.stdout.on("data", (d) => {
        out += String(d);
        const m = /^listening on ws:\/\/localhost:(\d+)\/echo\/\{name\}$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      void exited.then((code) => reject(new Error(`exited with ${code} before listening: ${err}`)));
    });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/echo/bob`);
    const received: string[] = [];
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    const three = new Promise<void>((resolve) =>
      ws.on("message", (d) => {
        if (received.push(String(d)) === 3) resolve();
      }),
    );
    await new Promise((resolve) => ws.once("open", resolve));
    ws.send("hi");
    await three;
    expect(received).toEqual(["welcome, bob", "you said: hi", "message #1"]);
    child.kill("SIGTERM");
    expect(await closed).toBe(1001);
    expect(await exited).toBe(0);
    expect(err).toBe("");
  } finally {
    child.kill("SIGKILL");
  }
}

describe("docs/getting-started.md runs as pasted", () => {
  it("in a CommonJS project", () => runAsPasted(project("commonjs")), 120_000);
  it('in an ESM project ("type": "module")', () => runAsPasted(project("module")), 120_000);
});

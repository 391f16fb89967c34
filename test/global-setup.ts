import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SKIP_LOG_ENV } from "./support/system-packages.js";

const ROOT = resolve(__dirname, "..");
const MARKER = join(ROOT, "dist", "esm", "index.mjs");

function newestSource(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(ts|cjs)$/.test(entry.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Tests that spawn the CLI, pack the package or compile a consumer project need dist/. Build once per
 * run, and only when a source is newer than the build, so unit-only runs stay fast.
 */
export default function setup(): () => void {
  const teardown = noticeOfSkips();
  build();
  return teardown;
}

/**
 * Tests skipped for a missing Debian package (test/support/system-packages.ts) append its name to a
 * file; at the end of the run one line says how many were skipped and what to install.
 */
function noticeOfSkips(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "wse-skips-"));
  const log = join(dir, "skips");
  process.env[SKIP_LOG_ENV] = log;
  return () => {
    const skipped = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
    rmSync(dir, { recursive: true, force: true });
    if (skipped.length === 0) return;
    const apt = [...new Set(skipped)].sort();
    process.stderr.write(`\nskipped ${skipped.length} tests: install ${apt.join(", ")} (apt-get install ${apt.join(" ")})\n`);
  };
}

function build(): void {
  const built = existsSync(MARKER) ? statSync(MARKER).mtimeMs : 0;
  const newest = Math.max(...["src", "decorators", "test", "examples", "scripts"].map((d) => newestSource(join(ROOT, d))), statSync(join(ROOT, "tsconfig.json")).mtimeMs);
  if (built >= newest) return;
  // A clean build: files moved or deleted in src/ must not survive in dist/ (pack tests read it).
  rmSync(join(ROOT, "dist"), { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: ROOT, stdio: "inherit" });
  } catch {
    // tsc still emitted; type errors are `npm run lint`'s to report, not a reason to skip every test.
    process.stderr.write("global-setup: tsc reported errors (see above); testing what it emitted.\n");
  }
  execFileSync(process.execPath, [join(ROOT, "scripts", "build-esm.cjs")], { cwd: ROOT, stdio: "inherit" });
  execFileSync(process.execPath, [join(ROOT, "scripts", "build-browser.cjs")], { cwd: ROOT, stdio: "inherit" });
}

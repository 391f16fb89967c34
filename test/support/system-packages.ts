import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync } from "node:fs";
import type { TestContext } from "vitest";
import { beforeEach } from "vitest";

/**
 * Tests that need a Debian package (a browser, another WebSocket implementation, a real Redis). On a
 * machine without it they skip, and test/global-setup.ts prints one line at the end of the run naming
 * what to install. Under `CI=true` (where .ci/run installs them all) a missing package fails the test
 * instead, so CI cannot pass by skipping.
 *
 * `WSE_HIDE_SYSTEM_PACKAGES=redis-server,chromium` makes packages count as missing, to try the skip path
 * on a machine that has them.
 */
export type SystemPackageName = "chromium" | "python3-websockets" | "java" | "redis-server";

/** Interpreters and binaries exactly as .ci/run checks them (Debian's python3, not a pyenv shim). */
export const CHROMIUM = "/usr/bin/chromium";
export const PYTHON = "/usr/bin/python3";

const runs = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: "ignore", timeout: 30_000 }).status === 0;

const PACKAGES: Record<SystemPackageName, { apt: string; present: () => boolean }> = {
  chromium: { apt: "chromium", present: () => existsSync(CHROMIUM) },
  "python3-websockets": { apt: "python3-websockets", present: () => existsSync(PYTHON) && runs(PYTHON, ["-c", "import websockets"]) },
  // javac too: the interop client and the migration snippets are compiled on the spot.
  java: { apt: "default-jdk-headless", present: () => runs("javac", ["-version"]) && runs("java", ["-version"]) },
  "redis-server": { apt: "redis-server", present: () => runs("redis-server", ["--version"]) },
};

/** Where skips are recorded for the end-of-run notice (set by test/global-setup.ts). */
export const SKIP_LOG_ENV = "WSE_SYSTEM_PACKAGE_SKIPS";

const hidden = new Set((process.env.WSE_HIDE_SYSTEM_PACKAGES ?? "").split(",").map((s) => s.trim()));

/** One Debian package some tests need. */
export class SystemPackage {
  readonly apt: string;
  private present: boolean | undefined;

  constructor(readonly name: SystemPackageName) {
    this.apt = PACKAGES[name].apt;
  }

  /** Whether it is installed (checked on first use, once per test file). */
  get available(): boolean {
    this.present ??= !hidden.has(this.name) && PACKAGES[this.name].present();
    return this.present;
  }

  /**
   * Call first in a test (or use {@link guardEach}): returns when the package is installed; otherwise
   * skips the test (recording it for the notice) or, under CI=true, fails it naming the package.
   */
  guard(ctx: TestContext): void {
    if (this.available) return;
    if (process.env.CI === "true") {
      throw new Error(`${this.name} is not installed, and CI=true makes that a failure: apt-get install ${this.apt} (.ci/run installs it).`);
    }
    const log = process.env[SKIP_LOG_ENV];
    if (log) appendFileSync(log, `${this.apt}\n`);
    ctx.skip(`needs ${this.name} (apt-get install ${this.apt})`);
  }

  /** Guards every test of the enclosing describe block (or file). Setup hooks should check {@link available}. */
  guardEach(): void {
    beforeEach((ctx) => this.guard(ctx));
  }
}

export const chromium = new SystemPackage("chromium");
export const python3Websockets = new SystemPackage("python3-websockets");
export const java = new SystemPackage("java");
export const redisServer = new SystemPackage("redis-server");

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli-process.js";

/**
 * README's `npm test` on a machine without the Debian packages: the tests that need them skip, and the
 * run ends with one line naming what to install; under CI=true the same run fails. The packages are
 * hidden with WSE_HIDE_SYSTEM_PACKAGES (test/support/system-packages.ts), in a nested vitest run of two
 * small files that need Redis, Python and Java.
 */
const FILES = ["test/e2e/cluster-chat.test.ts", "test/e2e/binary-fragments.test.ts"];

function vitest(env: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", ...FILES], {
    cwd: ROOT,
    env: { ...process.env, WSE_HIDE_SYSTEM_PACKAGES: "redis-server,python3-websockets,chromium,java", NO_COLOR: "1", ...env },
    encoding: "utf8",
    timeout: 180_000,
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe("tests that need Debian packages", () => {
  it("skip on a machine without them, with one line naming the packages to install", () => {
    const { status, output } = vitest({ CI: "" });
    expect(status, output).toBe(0);
    const notices = output.split("\n").filter((l) => l.startsWith("skipped "));
    expect(notices).toEqual(["skipped 4 tests: install python3-websockets, redis-server (apt-get install python3-websockets redis-server)"]);
  }, 180_000);

  it("fail under CI=true, naming the missing package", () => {
    const { status, output } = vitest({ CI: "true" });
    expect(status).toBe(1);
    expect(output).toContain("redis-server is not installed, and CI=true makes that a failure: apt-get install redis-server (.ci/run installs it).");
    expect(output).toContain("python3-websockets is not installed, and CI=true makes that a failure: apt-get install python3-websockets (.ci/run installs it).");
    expect(output).not.toMatch(/^skipped \d+ tests/m);
  }, 180_000);
});

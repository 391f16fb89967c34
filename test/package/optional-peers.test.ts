import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OPTIONAL_PEERS } from "../../src/peers/optional-peer.js";
import { CLI, ROOT } from "../support/cli-process.js";

/**
 * ioredis and class-validator-jsonschema are optional peers: only `ws-endpoints/redis` and AsyncAPI
 * generation load them. Their absence is simulated in a child process that runs the build with both
 * hidden from Node's resolver (test/fixtures/missing-peer/hide-modules.cjs), as on a user's machine
 * that never installed them.
 */
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};
const HIDE = join(ROOT, "test", "fixtures", "missing-peer", "hide-modules.cjs");
const hidden = (names: string) => ({ ...process.env, WSE_HIDE_MODULES: names });

function nodeEval(code: string, env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, ["-r", HIDE, "-e", code], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
}

const NEW_BROKER = `
const { RedisBroker } = require("./dist/src/redis/index.js");
try { new RedisBroker(); console.log("constructed"); }
catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, packageName: e.packageName, message: e.message })); }`;

describe("optional peer dependencies", () => {
  it("are declared as optional peers with the ranges the loader names, and kept for our own tests", () => {
    for (const [name, { range }] of Object.entries(OPTIONAL_PEERS)) {
      expect(pkg.peerDependencies[name], name).toBe(range);
      expect(pkg.peerDependenciesMeta[name], name).toEqual({ optional: true });
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(pkg.devDependencies[name], name).toBeDefined();
    }
  });

  it("without ioredis: importing ws-endpoints/redis works, new RedisBroker() throws MissingPeerDependencyError naming the install", () => {
    expect(JSON.parse(nodeEval(NEW_BROKER, hidden("ioredis")))).toEqual({
      name: "MissingPeerDependencyError",
      code: "WSE_ERR_MISSING_PEER_DEPENDENCY",
      packageName: "ioredis",
      message:
        'ws-endpoints/redis (RedisBroker) needs the package "ioredis", which is not installed (it is an optional peer dependency of ws-endpoints). Install it in your project: npm install ioredis@"^6.0.0"',
    });
    // The main entry never loads it.
    expect(nodeEval(`require("./dist/src/index.js"); console.log("ok")`, hidden("ioredis")).trim()).toBe("ok");
  });

  it("with ioredis installed the same script constructs the broker", () => {
    expect(nodeEval(NEW_BROKER, hidden("")).trim()).toBe("constructed");
  });

  it("without class-validator-jsonschema: `ws-endpoints asyncapi` of DTO endpoints exits 1 with the install command, no stack trace", () => {
    const run = spawnSync(process.execPath, ["-r", HIDE, CLI, "asyncapi", "dist/test/fixtures/asyncapi/chat-api.js"], {
      cwd: ROOT,
      env: hidden("class-validator-jsonschema"),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      'ws-endpoints: AsyncAPI generation (generateAsyncApi, ws-endpoints asyncapi) needs the package "class-validator-jsonschema", which is not installed (it is an optional peer dependency of ws-endpoints). Install it in your project: npm install class-validator-jsonschema@"^5.2.0"\n',
    );
  });
});

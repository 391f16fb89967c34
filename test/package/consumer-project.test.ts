import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/cli-process.js";

/**
 * A user's first ten minutes, offline: a fresh project gets the packed tarball, compiles an endpoint
 * with plain tsc (strict) and runs it, from CommonJS and from ESM. (skipLibCheck stays on as in most
 * projects; pack.test.ts checks that every module our .d.ts files import is a dependency.)
 *
 * The tarball is unpacked into the project's node_modules and its declared dependencies are linked to
 * the repository's installed copies: `npm install --offline` would need registry metadata in the npm
 * cache, which `npm ci` does not store, so it failed on fresh machines. What is under test is the
 * tarball (files, exports map, types, bin), not npm's resolver.
 */
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
let dir = "";

const CJS_MAIN = `import "reflect-metadata";
import { CloseReason, OnClose, OnMessage, PathParam, ServerEndpoint, Session } from "ws-endpoints";
import { TestServer } from "ws-endpoints/testing";
import { BrokerMessageKinds, type BrokerMessage } from "ws-endpoints/broker";
import { generateAsyncApi } from "ws-endpoints/asyncapi";

@ServerEndpoint("/echo/{n}")
export class Echo {
  @OnMessage()
  echo(text: string, session: Session, @PathParam("n") n: number): string {
    return \`\${text}:\${typeof n}:\${n}:\${session.isOpen()}\`;
  }

  @OnClose()
  closed(reason: CloseReason): void {
    void reason.getCloseCode();
  }
}

// The subpath entries resolve for require() with their types.
const kind: BrokerMessage["kind"] = BrokerMessageKinds.BROADCAST;
void kind;
void generateAsyncApi;

async function main(): Promise<void> {
  const server = await TestServer.start([Echo]);
  const client = await server.connect("/echo/7");
  await client.send("hi");
  console.log(await client.nextText());
  await server.close();
}
void main();
`;

const ESM_MAIN = `import "reflect-metadata";
import { createRequire } from "node:module";
import { bootstrap, OnMessage, ServerEndpoint, Session, silentLogger } from "ws-endpoints";
import { TestClient } from "ws-endpoints/testing";
import { PayloadKinds } from "ws-endpoints/broker";
import { asyncApiToYaml } from "ws-endpoints/asyncapi";
import WebSocket from "ws";

@ServerEndpoint("/upper")
class Upper {
  @OnMessage() upper(text: string): string {
    return text.toUpperCase();
  }
}

const handle = await bootstrap({ endpoints: [Upper], port: 0, host: "127.0.0.1", logger: silentLogger });
const client = new TestClient(new WebSocket(\`ws://127.0.0.1:\${handle.address.port}/upper\`));
await new Promise((resolve) => client.ws.once("open", resolve));
await client.send("esm");
console.log(await client.nextText());
// One runtime copy: the ESM entry and require() hand out the same classes.
const cjs = createRequire(import.meta.url)("ws-endpoints") as { Session: unknown };
console.log(cjs.Session === Session ? "same-copy" : "two-copies");
// The subpath entries load through the import condition too.
console.log(PayloadKinds.TEXT === 0 && typeof asyncApiToYaml === "function" ? "subpaths" : "no-subpaths");
await handle.close();
`;

function run(cmd: string, args: string[], cwd = dir): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wse-consumer-"));
  run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], ROOT);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  const installed = join(dir, "node_modules", "ws-endpoints");
  mkdirSync(installed, { recursive: true });
  run("tar", ["-xzf", join(dir, "ws-endpoints-0.1.0.tgz"), "-C", installed, "--strip-components=1"]);
  const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
  // The user installs the required peers next to ws-endpoints (README's install line); optional ones are left out.
  const peers = Object.keys(manifest.peerDependencies ?? {}).filter((p) => manifest.peerDependenciesMeta?.[p]?.optional !== true);
  for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...peers, "@types/node"]) {
    mkdirSync(join(dir, "node_modules", dep, ".."), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", dep), join(dir, "node_modules", dep), "dir");
  }
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "main.ts"), CJS_MAIN);
  writeFileSync(join(dir, "src", "esm-main.mts"), ESM_MAIN);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        skipLibCheck: true,
        types: ["node"],
        outDir: "dist",
        rootDir: "src",
      },
      include: ["src"],
    }),
  );
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a fresh TypeScript project using the packed tarball", () => {
  it("compiles with plain tsc without errors", () => {
    expect(run(process.execPath, [TSC, "-p", "tsconfig.json"])).toBe("");
  }, 120_000);

  it("the shipped declarations type-check themselves (skipLibCheck off): stripInternal left no dangling reference", () => {
    expect(run(process.execPath, [TSC, "-p", "tsconfig.json", "--noEmit", "--skipLibCheck", "false"])).toBe("");
  }, 120_000);

  it("runs a CommonJS endpoint: typed path param, reply over a real socket", () => {
    expect(run(process.execPath, ["dist/main.js"]).trim()).toBe("hi:number:7:true");
  });

  it("runs from ESM through the import entry, sharing one runtime copy with require()", () => {
    expect(run(process.execPath, ["dist/esm-main.mjs"]).trim().split("\n")).toEqual(["ESM", "same-copy", "subpaths"]);
  });

  it("the installed bin prints its help", () => {
    expect(run(process.execPath, [join(dir, "node_modules", "ws-endpoints", "dist", "src", "cli", "main.js"), "--help"])).toContain(
      "Usage: ws-endpoints <command>",
    );
  });
});

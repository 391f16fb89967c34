import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/cli-process.js";

/**
 * An application whose `tsyringe` is another copy than ws-endpoints' (a nested install): its
 * `@singleton()` service is unknown to ws-endpoints' container, and without the check every connection
 * closed with 1011 at run time. Now bootstrap refuses with both paths and the fix. The application is a
 * child process: a real second copy on disk, loaded by Node as a user's would be.
 */
let app = "";

const APP = (tsyringe: string) => `
require(${JSON.stringify(join(ROOT, "node_modules", "reflect-metadata"))});
const { singleton } = require(${JSON.stringify(tsyringe)});
const wse = require(${JSON.stringify(join(ROOT, "dist", "src", "index.js"))});
const { TestServer } = require(${JSON.stringify(join(ROOT, "dist", "src", "testing", "index.js"))});

class Greeting { constructor() { this.text = "hello"; } }
singleton()(Greeting);
class Clock { constructor(greeting) { this.greeting = greeting; } }
Reflect.defineMetadata("design:paramtypes", [Greeting], Clock);
singleton()(Clock);

class Greeter {
  constructor(clock) { this.clock = clock; }
  hi(text) { return this.clock.greeting.text + " " + text; }
}
Reflect.defineMetadata("design:paramtypes", [Clock], Greeter);
wse.Payload(String)(Greeter.prototype, "hi", 0);
wse.OnMessage()(Greeter.prototype, "hi", Object.getOwnPropertyDescriptor(Greeter.prototype, "hi"));
wse.ServerEndpoint("/greet")(Greeter);

(async () => {
  try {
    const handle = await wse.bootstrap({ endpoints: [Greeter], port: 0, host: "127.0.0.1", logger: wse.silentLogger });
    await handle.close();
    const server = await TestServer.start([Greeter]);
    const client = await server.connect("/greet");
    const closed = client.closed.then((c) => ({ closed: c.code }));
    const replied = client.send("ada").then(() => client.nextText()).then((reply) => ({ reply }));
    console.log(JSON.stringify(await Promise.race([replied, closed])));
    // Exit once the outcome is printed: a failed connection may leave the server waiting on its peer.
    process.exit(0);
  } catch (e) {
    console.log(JSON.stringify({ name: e.name, code: e.code, packageName: e.packageName, frameworkCopy: e.frameworkCopy, applicationCopy: e.applicationCopy, message: e.message }));
    process.exit(0);
  }
})();
`;

function runApp(tsyringe: string): Record<string, string> {
  const file = join(app, `app-${Math.random().toString(36).slice(2)}.cjs`);
  writeFileSync(file, APP(tsyringe));
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: app, encoding: "utf8", timeout: 60_000 })) as Record<string, string>;
}

beforeAll(() => {
  app = realpathSync(mkdtempSync(join(tmpdir(), "wse-dup-")));
  cpSync(join(ROOT, "node_modules", "tsyringe"), join(app, "node_modules", "tsyringe"), { recursive: true });
  // tsyringe's own dependency, shared: only tsyringe itself is duplicated.
  symlinkSync(join(ROOT, "node_modules", "tslib"), join(app, "node_modules", "tslib"), "dir");
});

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

describe("a second copy of tsyringe in the application", () => {
  it("makes bootstrap fail with DuplicatePeerDependencyError naming both copies and the fix", () => {
    const own = join(ROOT, "node_modules", "tsyringe");
    const other = join(app, "node_modules", "tsyringe");
    expect(runApp(other)).toEqual({
      name: "DuplicatePeerDependencyError",
      code: "WSE_ERR_DUPLICATE_PEER_DEPENDENCY",
      packageName: "tsyringe",
      frameworkCopy: own,
      applicationCopy: other,
      message:
        `Two copies of "tsyringe" are loaded: ws-endpoints uses ${own}, your code uses ${other}. It must be one copy shared by both ` +
        "(it is a peer dependency of ws-endpoints). Fix: install tsyringe once in your project (npm install tsyringe) and remove the nested copy " +
        "(npm dedupe; with pnpm, do not pin another version of it).",
    });
  });

  it("with the one shared copy the same application serves its injected singleton", () => {
    expect(runApp(join(ROOT, "node_modules", "tsyringe"))).toEqual({ reply: "hello ada" });
  });
});

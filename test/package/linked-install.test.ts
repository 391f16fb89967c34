import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/cli-process.js";

/**
 * The packed tarball installed the way pnpm lays packages out (`npm install --install-strategy=linked`:
 * every package sees only what it declares), with the lowest and the newest versions of the peer range
 * of tsyringe and class-validator. The application and ws-endpoints must share one copy of each: a DTO
 * validated with the application's class-validator rules, a `@singleton()` of the application's tsyringe
 * injected into an endpoint. Optional peers (ioredis, class-validator-jsonschema, prom-client) are not
 * installed. Installs reuse the npm cache (`--prefer-offline`); the registry is asked only for what the
 * cache lacks.
 */
let dir = "";
let tarball = "";

const APP = `
require("reflect-metadata");
const { singleton } = require("tsyringe");
const { IsString, MaxLength } = require("class-validator");
const { OnMessage, Payload, ServerEndpoint, SessionParam } = require("ws-endpoints");
const { TestServer } = require("ws-endpoints/testing");

class Counter { constructor() { this.n = 0; } next() { return ++this.n; } }
singleton()(Counter);

class Say {}
IsString()(Say.prototype, "text");
MaxLength(5)(Say.prototype, "text");

class Chat {
  constructor(counter) { this.counter = counter; }
  say(msg) { return msg.text + "#" + this.counter.next(); }
}
Reflect.defineMetadata("design:paramtypes", [Counter], Chat);
Payload(Say)(Chat.prototype, "say", 0);
OnMessage()(Chat.prototype, "say", Object.getOwnPropertyDescriptor(Chat.prototype, "say"));
ServerEndpoint("/chat")(Chat);

(async () => {
  const server = await TestServer.start([Chat]);
  const out = [];
  for (const path of ["/chat", "/chat"]) {
    const client = await server.connect(path);
    await client.send(JSON.stringify({ text: "hi" }));
    out.push(await client.nextText());
    await client.send(JSON.stringify({ text: "too long" }));
    const reply = JSON.parse(await client.nextText());
    out.push(reply.code + " " + reply.errors[0].constraints.maxLength);
  }
  await server.close();
  const own = (name) => require.resolve(name);
  const theirs = (name) => require.resolve(name, { paths: [require.resolve("ws-endpoints")] });
  out.push(["tsyringe", "class-validator", "class-transformer", "reflect-metadata"].every((n) => own(n) === theirs(n)) ? "one-copy" : "two-copies");
  out.push(require("tsyringe/package.json").version + " " + require("class-validator/package.json").version);
  console.log(out.join("\\n"));
})();
`;

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wse-linked-"));
  run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], ROOT);
  tarball = join(dir, readdirSync(dir).find((f) => f.endsWith(".tgz"))!);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("an isolated (pnpm-style) install of the packed tarball", () => {
  it.each([
    ["the lowest", "4.8.0", "0.14.0"],
    ["the newest", "4.10.0", "0.15.1"],
  ])("with %s peer versions (tsyringe %s, class-validator %s) shares one copy of each peer", (_label, tsyringe, classValidator) => {
    const app = join(dir, `app-${tsyringe}`);
    mkdirSync(app);
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({
        name: "consumer",
        version: "1.0.0",
        private: true,
        dependencies: { "ws-endpoints": `file:${tarball}`, tsyringe, "class-validator": classValidator, "class-transformer": "0.5.1", "reflect-metadata": "0.2.2" },
      }),
    );
    run("npm", ["install", "--install-strategy=linked", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], app);
    writeFileSync(join(app, "main.cjs"), APP);
    expect(run(process.execPath, ["main.cjs"], app).trim().split("\n")).toEqual([
      "hi#1",
      "VALIDATION_FAILED text must be shorter than or equal to 5 characters",
      "hi#2",
      "VALIDATION_FAILED text must be shorter than or equal to 5 characters",
      "one-copy",
      `${tsyringe} ${classValidator}`,
    ]);
  }, 240_000);
});

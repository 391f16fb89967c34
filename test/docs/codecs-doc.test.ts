import "reflect-metadata";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import WebSocket from "ws";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ChatEndpoint } from "../../docs/snippets/chat-dto.js";
import { ReportEndpoint } from "../../docs/snippets/fragments.js";
import { start } from "../../docs/snippets/global-codecs.js";
import { PointEndpoint } from "../../docs/snippets/point-codec.js";
import type { ServerHandle } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";

const ROOT = join(__dirname, "..", "..");
const doc = readFileSync(join(ROOT, "docs", "codecs.md"), "utf8");

let server: TestServer | undefined;
let handle: ServerHandle | undefined;
afterEach(async () => {
  await server?.close();
  await handle?.close();
  server = undefined;
  handle = undefined;
});

describe("docs/codecs.md", () => {
  it("shows every snippet file verbatim (importing from ws-endpoints)", () => {
    const files = readdirSync(join(ROOT, "docs", "snippets")).filter((f) => f.endsWith(".ts"));
    const shown = [...doc.matchAll(/<!-- snippet: (docs\/snippets\/[\w.-]+) -->\n```ts\n([\s\S]*?)\n```/g)];
    expect(shown.map((m) => m[1]).sort()).toEqual(files.map((f) => `docs/snippets/${f}`).sort());
    for (const [, path, code] of shown) {
      const source = readFileSync(join(ROOT, path!), "utf8").replace('"../../src/index.js"', '"ws-endpoints"').trimEnd();
      expect(code, path).toBe(source);
    }
  });

  it("chat-dto: joins, routes chat to other peers, rejects a bad nickname with the documented reply", async () => {
    server = await TestServer.start([ChatEndpoint]);
    const alice = await server.connect("/chat");
    const bob = await server.connect("/chat");
    await alice.send({ type: "join", nickname: "alice", id: "r1" });
    expect(await alice.nextJson()).toEqual({ type: "joined", nickname: "alice", id: "r1" });
    await alice.send({ type: "chat", text: "hi bob", mentions: [{ nickname: "bob" }] });
    expect(await alice.nextJson()).toEqual({ type: "sent" });
    expect(await bob.nextJson()).toEqual({ type: "chat", from: "alice", text: "hi bob" });
    await bob.send({ type: "join", nickname: "b o b" });
    expect(await bob.nextJson()).toEqual({
      type: "error",
      code: "VALIDATION_FAILED",
      errors: [{ path: "nickname", constraints: { matches: "nickname may contain letters, digits, _ and - only" } }],
    });
    await bob.send({ type: "shout" });
    expect(await bob.nextJson()).toMatchObject({ code: "UNKNOWN_MESSAGE_TYPE", accepted: ["join", "chat"] });
    await bob.send({ type: "chat", text: "x".repeat(5000) });
    expect(await bob.closed).toEqual({ code: 1009, reason: "message of 5025 bytes exceeds the 4096-byte limit of ChatEndpoint.chat" });
  });

  it("point-codec: text and binary decoders, the encoder, and a decoder failure", async () => {
    server = await TestServer.start([PointEndpoint]);
    const c = await server.connect("/points");
    await c.send("3,-4");
    expect(await c.nextText()).toBe("-3,4");
    await c.send(Buffer.from([1, 0xfe]));
    expect(await c.nextText()).toBe("-1,2");
    await c.send("11,0");
    expect(await c.nextJson()).toMatchObject({ type: "error", code: "DECODE_FAILED" });
  });

  it("global-codecs: bootstrap-wide settings apply to endpoints that do not override them", async () => {
    handle = await start(0);
    const url = `ws://127.0.0.1:${handle.address.port}`;
    const points = new WebSocket(`${url}/points`);
    const reply = new Promise<string>((resolve) => points.once("message", (d) => resolve(String(d))));
    await new Promise((resolve) => points.once("open", resolve));
    points.send("1,1");
    expect(await reply).toBe("-1,-1");
    const closed = new Promise<number>((resolve) => points.once("close", resolve));
    points.send("not a point");
    expect(await closed).toBe(1008);
  });

  it("fragments: the report arrives as one message and the pong handler records a round trip", async () => {
    server = await TestServer.start([ReportEndpoint]);
    const c = await server.connect("/report");
    expect(await c.nextText()).toBe("line 1\nline 2\nend");
    const [session] = [...server.handle.sessions];
    await vi.waitFor(() => expect(typeof session!.getUserProperties().get("rttMs")).toBe("number"), { timeout: 3000 });
  });
});

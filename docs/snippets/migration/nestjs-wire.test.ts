import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TestServer } from "ws-endpoints/testing";
import { NestChatEndpoint, NestGameEndpoint } from "./nestjs-wire.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("docs/migration-nestjs.md: keeping Nest's {event, data} wire format", () => {
  it("routes by event, hands the string data to the DTO, answers and broadcasts as {event, data}", async () => {
    server = await TestServer.start([NestChatEndpoint]);
    const a = await server.connect("/nest/chat");
    const b = await server.connect("/nest/chat");
    await a.send(JSON.stringify({ event: "chat", data: "hi" }));
    expect(await a.nextText()).toBe('{"event":"ack","data":"hi"}');
    expect(await b.nextText()).toBe('{"event":"chat","data":"hi"}');
  });

  it("a string handler receives the whole message text, not data", async () => {
    server = await TestServer.start([NestChatEndpoint]);
    const a = await server.connect("/nest/chat");
    await a.send('{"event":"raw","data":"hi"}');
    expect(await a.nextText()).toBe('{"event":"raw","data":"hi"}');
  });

  it("invalid or unknown messages get an error reply keyed by event; the session stays open", async () => {
    server = await TestServer.start([NestChatEndpoint]);
    const a = await server.connect("/nest/chat");
    await a.send(JSON.stringify({ event: "chat", data: "" }));
    expect(await a.nextJson()).toMatchObject({ event: "error", code: "VALIDATION_FAILED", errors: [{ path: "data" }] });
    await a.send(JSON.stringify({ event: "typing", data: true }));
    expect(await a.nextJson()).toMatchObject({ event: "error", code: "UNKNOWN_MESSAGE_TYPE", accepted: ["chat", "raw"] });
    await a.send(JSON.stringify({ event: "chat", data: "still here" }));
    expect(await a.nextJson()).toEqual({ event: "ack", data: "still here" });
  });

  it("dataField: an object under data becomes the DTO", async () => {
    server = await TestServer.start([NestGameEndpoint]);
    const c = await server.connect("/nest/game");
    await c.send(JSON.stringify({ event: "move", data: { x: 1, y: 2 } }));
    expect(await c.nextText()).toBe('{"event":"moved","data":{"x":1,"y":2}}');
  });

  it("the guide shows this file and says what changes for string handlers", () => {
    const doc = readFileSync(join(__dirname, "..", "..", "migration-nestjs.md"), "utf8");
    expect(doc).toContain("## Keeping Nest's `{ event, data }` wire format");
    expect(doc).toContain("<!-- snippet: docs/snippets/migration/nestjs-wire.ts -->");
    expect(doc).toContain("## `string` handlers");
  });
});

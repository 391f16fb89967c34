import "reflect-metadata";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TestServer } from "ws-endpoints/testing";
import { ChatEndpoint as FromJsr } from "./jsr356-after.js";
import { ChatEndpoint as FromNest } from "./nestjs-after.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
});

describe("migration guides: the ws-endpoints side runs", () => {
  it("NestJS → ws-endpoints: typed envelope in, ack back, chat to the others", async () => {
    server = await TestServer.start([FromNest]);
    const a = await server.connect("/chat");
    const b = await server.connect("/chat");
    await a.send({ type: "chat", text: "hi" });
    expect(await a.nextJson()).toEqual({ type: "ack", text: "guest: hi" });
    expect(await b.nextJson()).toEqual({ type: "chat", text: "hi" });
  });

  it("JSR 356 → ws-endpoints: same behaviour as the Java endpoint", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    server = await TestServer.start([FromJsr]);
    const a = await server.connect("/rooms/r1");
    const b = await server.connect("/rooms/r1");
    expect(await a.nextText()).toBe("joined r1");
    expect(await b.nextText()).toBe("joined r1");
    await a.send("hello");
    expect(await a.nextText()).toBe("r1: hello");
    expect(await b.nextText()).toBe("hello");
  });
});

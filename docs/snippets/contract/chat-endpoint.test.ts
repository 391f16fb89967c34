import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { TestServer } from "ws-endpoints/testing";
import { ChatEndpoint } from "./chat-endpoint.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("docs/contract.md: the chat contract on the wire", () => {
  it("pushes said, asks confirm during join, answers the join request with its id, and answers $ping", async () => {
    server = await TestServer.start([ChatEndpoint], { heartbeatInterval: 0 });
    const c = await server.connect("/chat/ann");
    await c.send('{"type":"say","text":"hi"}');
    expect(await c.nextText()).toBe('{"type":"said","from":"ann","text":"hi"}');
    await c.send('{"type":"join","id":1,"room":"blue"}');
    expect(await c.nextText()).toBe('{"type":"confirm","id":"s1","question":"Join blue?"}');
    await c.send('{"type":"$ping"}');
    expect(await c.nextText()).toBe('{"type":"$pong"}');
    await c.send('{"type":"$reply","id":"s1","ok":true,"data":{"accepted":true}}');
    expect(await c.nextText()).toBe('{"type":"presence","room":"blue","online":1}');
    expect(await c.nextJson()).toEqual({ room: "blue", online: 1, id: 1 });
  });

  it("answers a payload the DTO rejects with a correlated error reply", async () => {
    server = await TestServer.start([ChatEndpoint], { heartbeatInterval: 0 });
    const c = await server.connect("/chat/ann");
    await c.send('{"type":"join","id":2,"room":""}');
    expect(await c.nextJson()).toMatchObject({ type: "error", code: "VALIDATION_FAILED", id: 2 });
  });
});

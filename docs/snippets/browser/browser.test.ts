import "reflect-metadata";
import { afterEach, expect, it } from "vitest";
import WebSocket from "ws";
import { TestServer } from "ws-endpoints/testing";
import { ChatEndpoint } from "./chat-endpoint.js";
import { openChat } from "./front-end.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

it("the front-end snippet joins, says hello and hears it back from the endpoint snippet", async () => {
  server = await TestServer.start([ChatEndpoint]);
  const lines: string[] = [];
  let heard!: () => void;
  const hello = new Promise<void>((resolve) => (heard = resolve));
  const chat = await openChat(`${server.url}/chat`, (line) => lines.push(line) && line.endsWith(": hello") && heard(), { WebSocket });
  await hello;
  expect(lines).toEqual(["joined lobby: 1 online", expect.stringMatching(/^guest-\w{4}: hello$/)]);
  chat.close();
});

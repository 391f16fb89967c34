// Runs the getting-started snippets: the endpoint over a real socket, and main() as written.
import "reflect-metadata";
import { expect, it } from "vitest";
import WebSocket from "ws";
import { TestServer } from "ws-endpoints/testing";
import { EchoEndpoint } from "./echo-endpoint.js";
import { main } from "./main.js";

it("the getting-started endpoint greets, echoes and counts", async () => {
  const server = await TestServer.start([EchoEndpoint]);
  const client = await server.connect("/echo/ada");
  expect(await client.nextText()).toBe("welcome, ada");
  await client.send("hello");
  expect(await client.nextText()).toBe("you said: hello");
  expect(await client.nextText()).toBe("message #1");
  await server.close();
});

it("main() serves it on a port", async () => {
  const app = await main(0);
  const ws = new WebSocket(`ws://127.0.0.1:${app.address.port}/echo/bob`);
  expect(String(await new Promise((r) => ws.once("message", r)))).toBe("welcome, bob");
  ws.close();
  await app.close();
});

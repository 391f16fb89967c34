// Runs the getting-started endpoint over a real socket (project.test.ts runs the whole page's project).
import "reflect-metadata";
import { expect, it } from "vitest";
import { TestServer } from "ws-endpoints/testing";
import { EchoEndpoint } from "./echo-endpoint.js";

it("the getting-started endpoint greets, echoes and counts", async () => {
  const server = await TestServer.start([EchoEndpoint]);
  const client = await server.connect("/echo/ada");
  expect(await client.nextText()).toBe("welcome, ada");
  await client.send("hello");
  expect(await client.nextText()).toBe("you said: hello");
  expect(await client.nextText()).toBe("message #1");
  await server.close();
});

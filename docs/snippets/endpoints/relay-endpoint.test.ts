import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { TestServer } from "ws-endpoints/testing";
import { RelayEndpoint } from "./relay-endpoint.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("docs/endpoints.md: RelayEndpoint", () => {
  it("forwards text to the other sessions byte for byte, and keeps commands to itself", async () => {
    server = await TestServer.start([RelayEndpoint]);
    const a = await server.connect("/relay");
    const b = await server.connect("/relay");
    await a.send("/nick ada");
    const big = "✓".repeat(50_000);
    await a.send(big);
    expect(await b.nextText()).toBe(big);
  });
});

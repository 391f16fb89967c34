import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { TestServer } from "ws-endpoints/testing";
import { LobbyEndpoint } from "./broadcast.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("docs/sessions.md: LobbyEndpoint", () => {
  it("announces joins with the online count, confirms to the sender, broadcasts to the others, announces leaves", async () => {
    server = await TestServer.start([LobbyEndpoint]);
    const a = await server.connect("/lobby");
    const b = await server.connect("/lobby");
    const joined = await a.nextText();
    expect(joined).toMatch(/^user-\w{4} joined \(2 online\)$/);
    const bName = joined.split(" ")[0];
    await b.send("hi");
    expect(await b.nextText()).toBe("you: hi");
    expect(await a.nextText()).toBe(`${bName}: hi`);
    await b.close(1000);
    expect(await a.nextText()).toBe(`${bName} left (1000)`);
    expect(b.pending).toEqual([]);
  });
});

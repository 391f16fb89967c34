import "reflect-metadata";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TestServer } from "ws-endpoints/testing";
import { RoomEndpoint } from "./room-endpoint.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
});

describe("docs/endpoints.md: RoomEndpoint", () => {
  it("converts path params, reads the query, negotiates the subprotocol, replies, survives a throwing handler", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    server = await TestServer.start([RoomEndpoint]);
    const c = await server.connect("/rooms/lobby/seats/3?nick=ada", { protocols: ["room.v1"] });
    expect(await c.nextText()).toBe("ada sits in lobby, seat 3 (room.v1)");
    await c.send("hello");
    expect(await c.nextText()).toBe("ada@3: hello");
    await c.send("boom");
    expect(await c.nextText()).toBe("error: boom is not allowed");
    await c.send("still here");
    expect(await c.nextText()).toBe("ada@3: still here");
    await c.close(1000);
    await vi.waitFor(() => expect(log).toHaveBeenCalledWith("ada left with 1000"));
  });

  it("refuses a seat that is not a number with HTTP 400 before any endpoint code runs", async () => {
    server = await TestServer.start([RoomEndpoint]);
    await expect(server.connect("/rooms/lobby/seats/x")).rejects.toMatchObject({ status: 400 });
  });
});

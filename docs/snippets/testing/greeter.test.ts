import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { EndpointHarness, MockSession, TestServer } from "ws-endpoints/testing";
import { Clock, GreeterEndpoint } from "./greeter.js";

const fixedClock = { now: () => new Date("2026-01-01T00:00:00Z") };

describe("GreeterEndpoint", () => {
  // 1. Plain unit test: call the method with a MockSession.
  it("greets by name", () => {
    const session = new MockSession({ pathParameters: { name: "ada" } });
    new GreeterEndpoint(fixedClock).open(session, "ada");
    expect(session.sentJson()).toEqual([{ hello: "ada", at: "2026-01-01T00:00:00.000Z" }]);
  });

  // 2. Through the real dispatcher, without a port: routing, DI overrides, replies, errors.
  it("replies in upper case and closes with 1011 when the handler throws", async () => {
    const harness = EndpointHarness.create(GreeterEndpoint, { providers: [[Clock, { useValue: fixedClock }]] });
    const conn = await harness.connect({ path: "/greet/bob" });
    await conn.receive("hi");
    expect(conn.lastSent()).toEqual({ type: "text", data: "HI" });
    await conn.receive("x".repeat(101)); // no @OnError: the session closes with 1011
    expect(conn.closedWith).toEqual({ code: 1011, reason: "internal error" });
  });

  // 3. End to end over a real socket on a free loopback port.
  it("works over a real WebSocket", async () => {
    const server = await TestServer.start([GreeterEndpoint]);
    try {
      const client = await server.connect("/greet/cy");
      expect(await client.nextJson()).toMatchObject({ hello: "cy" });
      await client.send("yo");
      expect(await client.nextText()).toBe("YO");
    } finally {
      await server.close();
    }
  });
});

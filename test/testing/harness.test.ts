import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { injectable } from "tsyringe";
import { CloseCodes, CloseReason, OnClose, OnError, OnMessage, OnOpen, PathParam, ServerEndpoint, Session, TextMessage } from "../../src/index.js";
import { EndpointHarness, MockSession } from "../../src/testing/index.js";

@injectable()
class Greeter {
  greet(name: string) {
    return `hello ${name}`;
  }
}

@ServerEndpoint("/greet/{name}")
class GreetEndpoint {
  closed: number[] = [];
  constructor(private readonly greeter: Greeter) {}

  @OnOpen() open(session: Session, @PathParam("name") name: string) {
    session.getAsyncRemote().sendText(this.greeter.greet(name));
  }
  @OnMessage() async message(text: string, session: Session) {
    if (text === "bye") session.close(new CloseReason(CloseCodes.NORMAL_CLOSURE, "see you"));
    if (text === "fail") throw new Error("nope");
    await new Promise((r) => setTimeout(r, 1));
    return text.toUpperCase();
  }
  @OnError() error(session: Session, error: Error) {
    session.getAsyncRemote().sendText(`error: ${error.message}`);
  }
  @OnClose() close(session: Session) {
    session.getUserProperties().set("closed", true);
  }
}

describe("MockSession", () => {
  it("records what an endpoint method sends, and how it closed", async () => {
    const session = new MockSession({ pathParameters: { name: "ada" }, userProperties: { role: "admin" } });
    const endpoint = new GreetEndpoint(new Greeter());
    endpoint.open(session, "ada");
    expect(session.lastSent()).toEqual({ type: "text", data: "hello ada" });
    expect(await endpoint.message("hi", session)).toBe("HI");
    await endpoint.message("bye", session);
    expect(session.closedWith).toEqual({ code: 1000, reason: "see you" });
    expect(session.isOpen()).toBe(false);
    expect(session.getUserProperties().get("role")).toBe("admin");
    expect(session.getPathParameters()).toEqual({ name: "ada" });
  });
});

describe("MockSession with TextMessage", () => {
  it("records a TextMessage sent on as the text it holds", async () => {
    const session = new MockSession();
    await session.getBasicRemote().sendText(TextMessage.fromString("passed ✓ on"));
    session.getAsyncRemote().sendText(TextMessage.fromBytes(Buffer.from("again")));
    expect(session.sentTexts()).toEqual(["passed ✓ on", "again"]);
  });
});

describe("EndpointHarness", () => {
  it("drives the real dispatcher: DI overrides, path params, replies, error routing and close", async () => {
    const fake = { greet: (n: string) => `hi from a fake, ${n}` };
    const harness = EndpointHarness.create(GreetEndpoint, { providers: [[Greeter, { useValue: fake }]] });
    const conn = await harness.connect({ path: "/greet/bob" });
    expect(conn.sent).toEqual([{ type: "text", data: "hi from a fake, bob" }]);
    await conn.receive("one");
    await conn.receive("fail");
    await conn.receive("two");
    expect(conn.session.sentTexts()).toEqual(["hi from a fake, bob", "ONE", "error: nope", "TWO"]);
    expect(harness.openSessions.size).toBe(1);
    await conn.close(1001, "away");
    expect(conn.session.getUserProperties().get("closed")).toBe(true);
    expect(harness.openSessions.size).toBe(0);
  });

  it("refuses a path that does not match the endpoint", async () => {
    const harness = EndpointHarness.create(GreetEndpoint);
    await expect(harness.connect({ path: "/other" })).rejects.toThrow('connect: path "/other" does not match GreetEndpoint\'s path "/greet/{name}".');
  });
});

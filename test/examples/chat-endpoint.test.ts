import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { container } from "tsyringe";
import { ChatEndpoint, NICKNAME_REFUSED } from "../../examples/chat/chat-endpoint.js";
import { Roster } from "../../examples/chat/roster.js";
import { EndpointHarness, type HarnessConnection } from "../../src/testing/index.js";

/** A harness with its own roster, the way the chat app registers it. */
function chatHarness(): EndpointHarness {
  const app = container.createChildContainer();
  app.registerSingleton(Roster);
  return EndpointHarness.create(ChatEndpoint, { container: app });
}

const json = (conn: HarnessConnection) => conn.session.sentJson<Record<string, unknown>>();

describe("ChatEndpoint (unit, no sockets)", () => {
  it("welcomes a user with the online list and tells the others", async () => {
    const chat = chatHarness();
    const ada = await chat.connect({ path: "/chat/ada" });
    const bob = await chat.connect({ path: "/chat/bob" });
    expect(json(ada)).toEqual([
      { type: "welcome", user: "ada", online: 1, users: ["ada"] },
      { type: "joined", user: "bob", online: 2 },
    ]);
    expect(json(bob)).toEqual([{ type: "welcome", user: "bob", online: 2, users: ["ada", "bob"] }]);
  });

  it("broadcasts chat, delivers private messages only to their target, and reports offline targets", async () => {
    const chat = chatHarness();
    const [ada, bob, cy] = [await chat.connect({ path: "/chat/ada" }), await chat.connect({ path: "/chat/bob" }), await chat.connect({ path: "/chat/cy" })];
    for (const c of [ada, bob, cy]) c.session.clearSent();
    await ada.receive(JSON.stringify({ type: "chat", text: "  hello all  " }));
    await ada.receive(JSON.stringify({ type: "private", to: "cy", text: "psst" }));
    await ada.receive(JSON.stringify({ type: "private", to: "zed", text: "anyone?" }));
    const strip = (m: Record<string, unknown>) => ({ ...m, at: m.at === undefined ? undefined : "t" });
    expect(json(bob).map(strip)).toEqual([{ type: "chat", from: "ada", text: "hello all", at: "t" }]);
    expect(json(cy).map(strip)).toEqual([
      { type: "chat", from: "ada", text: "hello all", at: "t" },
      { type: "private", from: "ada", to: "cy", text: "psst", at: "t" },
    ]);
    expect(json(ada).map(strip)).toEqual([
      { type: "chat", from: "ada", text: "hello all", at: "t" },
      { type: "private", from: "ada", to: "cy", text: "psst", at: "t" },
      { type: "error", code: "USER_OFFLINE", message: '"zed" is not online.', at: undefined },
    ]);
  });

  it.each([
    ["not json", "INVALID_JSON"],
    ["[1,2]", "INVALID_JSON"],
    [JSON.stringify({ type: "shout", text: "x" }), "UNKNOWN_TYPE"],
    [JSON.stringify({ type: "chat", text: "" }), "INVALID_FIELD"],
    [JSON.stringify({ type: "chat", text: "x".repeat(501) }), "INVALID_FIELD"],
    [JSON.stringify({ type: "chat" }), "INVALID_FIELD"],
    [JSON.stringify({ type: "private", to: "a b", text: "x" }), "INVALID_FIELD"],
  ])("answers bad input %s with an %s error and stays open", async (input, code) => {
    const chat = chatHarness();
    const ada = await chat.connect({ path: "/chat/ada" });
    ada.session.clearSent();
    await ada.receive(input);
    expect(json(ada)).toEqual([expect.objectContaining({ type: "error", code })]);
    expect(ada.session.isOpen()).toBe(true);
  });

  it("refuses an invalid or taken nickname with close code 4001", async () => {
    const chat = chatHarness();
    await chat.connect({ path: "/chat/ada" });
    const again = await chat.connect({ path: "/chat/ada" });
    expect(again.closedWith).toEqual({ code: NICKNAME_REFUSED, reason: 'nickname "ada" is already in use' });
    const long = await chat.connect({ path: `/chat/${"x".repeat(21)}` });
    expect(long.closedWith?.code).toBe(NICKNAME_REFUSED);
  });

  it("keeps the online count right when users leave, abruptly or not", async () => {
    const chat = chatHarness();
    const ada = await chat.connect({ path: "/chat/ada" });
    const bob = await chat.connect({ path: "/chat/bob" });
    const cy = await chat.connect({ path: "/chat/cy" });
    ada.session.clearSent();
    await bob.drop();
    await cy.close(1000);
    expect(json(ada)).toEqual([
      { type: "left", user: "bob", online: 2 },
      { type: "left", user: "cy", online: 1 },
    ]);
  });
});

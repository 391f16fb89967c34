import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { container } from "tsyringe";
import { ChatEndpoint } from "../../examples/chat/chat-endpoint.js";
import { Roster } from "../../examples/chat/roster.js";
import { EndpointHarness, type HarnessConnection } from "../../src/testing/index.js";

/** A harness with its own roster, the way the chat app registers it. */
function chatHarness(): EndpointHarness {
  const app = container.createChildContainer();
  app.registerSingleton(Roster);
  return EndpointHarness.create(ChatEndpoint, { container: app });
}

const json = (conn: HarnessConnection) => conn.session.sentJson<Record<string, unknown>>();

/** Connects and sends the join request, as the page does on every (re)connect. */
async function enter(chat: EndpointHarness, nickname: string, id = 1): Promise<HarnessConnection> {
  const conn = await chat.connect({ path: "/chat" });
  await conn.receive(JSON.stringify({ type: "join", nickname, id }));
  return conn;
}

describe("ChatEndpoint (unit, no sockets)", () => {
  it("answers the join request with the welcome (same id) and tells the others", async () => {
    const chat = chatHarness();
    const ada = await enter(chat, "ada");
    const bob = await enter(chat, "bob", 7);
    expect(json(ada)).toEqual([
      { type: "welcome", user: "ada", online: 1, users: ["ada"], id: 1 },
      { type: "joined", user: "bob", online: 2 },
    ]);
    expect(json(bob)).toEqual([{ type: "welcome", user: "bob", online: 2, users: ["ada", "bob"], id: 7 }]);
  });

  it("broadcasts chat, delivers private messages only to their target, and reports offline targets", async () => {
    const chat = chatHarness();
    const [ada, bob, cy] = [await enter(chat, "ada"), await enter(chat, "bob"), await enter(chat, "cy")];
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
    ["not json", { code: "INVALID_JSON", errors: [{ path: "", constraints: { isJson: "the message must be valid JSON" } }] }],
    [JSON.stringify({ type: "shout", text: "x" }), { code: "UNKNOWN_MESSAGE_TYPE", accepted: ["join", "chat", "private"] }],
    [JSON.stringify({ type: "chat", text: "   " }), { code: "VALIDATION_FAILED", errors: [{ path: "text", constraints: { isNotEmpty: "text must not be empty" } }] }],
    [JSON.stringify({ type: "chat", text: "x".repeat(501) }), { code: "VALIDATION_FAILED", errors: [{ path: "text", constraints: { maxLength: "text must be at most 500 characters" } }] }],
    [JSON.stringify({ type: "chat", text: "hi", colour: "red" }), { code: "VALIDATION_FAILED", errors: [{ path: "colour", constraints: { whitelistValidation: "property colour should not exist" } }] }],
    [JSON.stringify({ type: "private", to: "a b", text: "x" }), { code: "VALIDATION_FAILED", errors: [{ path: "to", constraints: { matches: "to must be a nickname: 1-20 letters, digits, _ - or ." } }] }],
    [JSON.stringify({ type: "join", nickname: "a b", id: 3 }), { code: "VALIDATION_FAILED", id: 3, errors: [{ path: "nickname", constraints: { matches: "nickname must be 1-20 letters, digits, _ - or ." } }] }],
  ])("answers bad input %s with a precise error and stays open", async (input, reply) => {
    const chat = chatHarness();
    const ada = await enter(chat, "ada");
    ada.session.clearSent();
    await ada.receive(input);
    expect(json(ada)).toEqual([expect.objectContaining({ type: "error", ...reply })]);
    expect(ada.session.isOpen()).toBe(true);
  });

  it("answers a taken nickname, a second join and a chat before joining with an error; the session stays open", async () => {
    const chat = chatHarness();
    const ada = await enter(chat, "ada");
    const again = await enter(chat, "ada", 2);
    expect(json(again)).toEqual([{ type: "error", code: "NICKNAME_TAKEN", message: 'nickname "ada" is already in use', id: 2 }]);
    await ada.receive(JSON.stringify({ type: "join", nickname: "ada2", id: 5 }));
    expect(json(ada).at(-1)).toEqual({ type: "error", code: "ALREADY_JOINED", message: 'You already joined as "ada".', id: 5 });
    const lurker = await chat.connect({ path: "/chat" });
    await lurker.receive(JSON.stringify({ type: "chat", text: "hi" }));
    expect(json(lurker)).toEqual([{ type: "error", code: "NOT_JOINED", message: "Join first: send a join request with your nickname." }]);
    for (const c of [again, lurker]) expect(c.closedWith).toBeUndefined();
    expect(json(ada).filter((m) => m.type === "chat")).toEqual([]);
  });

  it("keeps the online count right when users leave, abruptly or not", async () => {
    const chat = chatHarness();
    const ada = await enter(chat, "ada");
    const bob = await enter(chat, "bob");
    const cy = await enter(chat, "cy");
    ada.session.clearSent();
    await bob.drop();
    await cy.close(1000);
    expect(json(ada)).toEqual([
      { type: "left", user: "bob", online: 2 },
      { type: "left", user: "cy", online: 1 },
    ]);
  });
});

import { describe, expectTypeOf, it } from "vitest";
import type { BrowserClient, RequestError } from "../../src/browser/index.js";
import type { ChatContract } from "../../examples/chat/contract.js";
import type { ChatLine, Welcome } from "../../examples/chat/protocol.js";

// The calls the chat page makes, checked against the contract the server's DTOs define (never run).
function page(client: BrowserClient<ChatContract>): void {
  expectTypeOf(client.request("join", { nickname: "ada" })).toEqualTypeOf<Promise<Welcome>>();
  client.send("chat", { text: "hello" });
  client.send("private", { to: "bob", text: "psst" });
  client.on("chat", (m) => expectTypeOf(m).toEqualTypeOf<ChatLine>());
  // Application errors ride in the framework's error envelope: one typed listener for both.
  client.on("error", (e) => {
    expectTypeOf(e).toEqualTypeOf<RequestError>();
    expectTypeOf(e.code).toEqualTypeOf<string>();
  });
  // @ts-expect-error "error" is the error envelope, not a contract message: its listener gets a RequestError
  client.on("error", (m: { nickname: string }) => m);
  // @ts-expect-error PrivateMessage needs `to`
  client.send("private", { text: "psst" });
  // @ts-expect-error JoinRequest's field is `nickname`
  client.request("join", { user: "ada" });
  // @ts-expect-error the server sends no "welcome" message: the welcome is join's reply
  client.on("welcome", () => {});
}

describe("examples/chat contract", () => {
  it("types the page's calls (see the @ts-expect-error lines)", () => {
    expectTypeOf(page).toBeFunction();
  });
});

// Mistakes the compiler catches in front-end code (npm run lint checks this file; it never runs).
import type { BrowserClient } from "ws-endpoints/browser";
import type { ChatContract } from "./contract.js";

export function mistakes(chat: BrowserClient<ChatContract>) {
  // @ts-expect-error SayMessage.text is a string
  chat.send("say", { text: 42 });
  // @ts-expect-error the server handles no "shout" message
  chat.send("shout", { text: "hi" });
  // @ts-expect-error "join" has a reply: use request(), not send()
  chat.send("join", { room: "lobby" });
  // @ts-expect-error the server never sends "sayd"
  chat.on("sayd", () => {});
  // @ts-expect-error the reply of "confirm" is { yes: boolean }
  chat.handle("confirm", () => ({ ok: true }));
}

// Front-end code: only the contract's *type* crosses over, so no DTO, validator or decorator reaches the bundle.
import { connect, RequestError, type BrowserConnectOptions } from "ws-endpoints/browser";
import type { ChatContract } from "./contract.js";

export async function openChat(url: string, show: (line: string) => void, options?: BrowserConnectOptions) {
  const chat = connect<ChatContract>(url, options);
  chat.onState((s) => {
    if (s.state === "reconnecting") show(`connection lost (${s.code}); reconnecting in ${Math.ceil(s.delay / 1000)} s`);
  });
  chat.on("said", (m) => show(`${m.from}: ${m.text}`));
  chat.handle("confirm", async ({ question }) => ({ yes: question.endsWith("?") }));
  try {
    const joined = await chat.request("join", { room: "lobby" }, { timeout: 5000 });
    show(`joined ${joined.room}: ${joined.online} online`);
  } catch (error) {
    if (error instanceof RequestError) show(`refused: ${error.code} ${error.errors.map((e) => e.path).join(", ")}`);
    throw error;
  }
  chat.send("say", { text: "hello" });
  return chat;
}

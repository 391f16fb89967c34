// Front-end code with session recovery: the endpoint declares `recovery: { window: "2m" }`, the page asks for it.
import { connect, type BrowserClient, type BrowserConnectOptions } from "ws-endpoints/browser";
import type { ChatContract } from "./contract.js";

export function openRecoveringChat(url: string, show: (line: string) => void, options?: BrowserConnectOptions): BrowserClient<ChatContract> {
  const chat = connect<ChatContract>(url, { ...options, recovery: true });
  chat.onState((s) => {
    if (s.state !== "open" || !s.recovery) return;
    // Runs before the missed messages are delivered and before anything held during the outage is sent.
    if (s.recovery.recovered) return show("back: missed messages follow");
    // A new session: the first one, or the server could not give the old one back (`expired`, `unknown-token`, …).
    if (s.recovery.refused) show(`new session (${s.recovery.refused}): reloading the history`);
    void chat.request("join", { room: "lobby" }).then((j) => show(`joined ${j.room}`));
  });
  chat.on("said", (m) => show(`${m.from}: ${m.text}`));
  return chat;
}

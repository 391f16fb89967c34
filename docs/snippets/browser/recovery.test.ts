import "reflect-metadata";
import { afterEach, expect, it } from "vitest";
import WebSocket from "ws";
import { OnMessage, ServerEndpoint, Session } from "ws-endpoints";
import { TestServer } from "ws-endpoints/testing";
import { JoinRequest } from "./contract.js";
import { openRecoveringChat } from "./recovery.js";

/** The chat endpoint with recovery; its room messages are broadcasts, so they reach a parked session too. */
@ServerEndpoint({ path: "/chat", recovery: { window: "1m" } })
class RecoveringChat {
  @OnMessage({ type: "join" })
  join(msg: JoinRequest, session: Session) {
    session.join(msg.room);
    return { type: "joined", room: msg.room, online: 1 };
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

it("the recovery snippet gets what was said while its connection was down, once, after 'back'", async () => {
  server = await TestServer.start([RecoveringChat]);
  const lines: string[] = [];
  const chat = openRecoveringChat(`${server.url}/chat`, (line) => void lines.push(line), { WebSocket, reconnect: { initialDelay: 10, jitter: 0 } });
  await until(() => lines.includes("joined lobby"));
  const say = (text: string) => server!.handle.broadcaster.broadcast(JSON.stringify({ type: "said", from: "ada", text }), { room: "lobby" });
  await say("one");
  await until(() => lines.length === 2);
  // The server side drops the connection without a close frame, as a crashed proxy would.
  const session = [...server.handle.sessions][0]!;
  (session as unknown as { transport: { terminate(): void } }).transport.terminate();
  await until(() => server!.handle.sessions.size === 0);
  await say("two");
  await say("three");
  await until(() => lines.length === 5);
  expect(lines).toEqual(["joined lobby", "ada: one", "back: missed messages follow", "ada: two", "ada: three"]);
  expect(chat.recovery).toMatchObject({ recovered: true, offset: 4 });
  chat.close();
});

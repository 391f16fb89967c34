import { connectToServer, OnMessage, OnOpen, ServerEndpoint, Session, type ClientSession } from "ws-endpoints";

/** A chat room whose members get what they missed after a network blip, exactly once and in order. */
@ServerEndpoint({ path: "/chat", recovery: { window: "2m", maxMessages: 500, maxBytes: 256 * 1024 } })
export class ChatEndpoint {
  @OnOpen() open(session: Session): void {
    // A recovered session is already in its rooms, with its user properties, and was sent what it missed.
    if (!session.isRecovered()) session.join("lobby");
  }

  @OnMessage() say(text: string): string {
    return `you said ${text}`;
  }
}

/** The Node client: recovery is transparent; `getRecovery()` tells how each connection went. */
export async function join(url: string, endpoint: object): Promise<ClientSession> {
  const session = await connectToServer(endpoint, url, { recovery: true, reconnect: true });
  const r = session.getRecovery();
  if (r?.refused !== undefined) console.warn(`new session (${r.refused}): reload the history`);
  return session;
}

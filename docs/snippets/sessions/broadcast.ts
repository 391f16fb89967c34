import { CloseReason, OnClose, OnMessage, OnOpen, ServerEndpoint, Session } from "ws-endpoints";

@ServerEndpoint("/lobby")
export class LobbyEndpoint {
  @OnOpen()
  join(session: Session): void {
    session.getUserProperties().set("name", `user-${session.getId().slice(0, 4)}`);
    this.broadcast(session, `${this.nameOf(session)} joined (${session.getOpenSessions().size} online)`);
  }

  @OnMessage()
  async say(text: string, session: Session): Promise<void> {
    // Basic remote: resolves once the frame was written, rejects if the session closed meanwhile.
    await session.getBasicRemote().sendText(`you: ${text}`);
    this.broadcast(session, `${this.nameOf(session)}: ${text}`);
  }

  @OnClose()
  leave(session: Session, reason: CloseReason): void {
    this.broadcast(session, `${this.nameOf(session)} left (${reason.getCloseCode()})`);
  }

  private nameOf(session: Session): string {
    return String(session.getUserProperties().get("name"));
  }

  /** Async remote: queues and returns at once, never throws, even for a peer that just went away. */
  private broadcast(from: Session, text: string): void {
    for (const peer of from.getOpenSessions()) {
      if (peer !== from) peer.getAsyncRemote().sendText(text);
    }
  }
}

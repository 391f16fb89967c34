import { CloseReason, OnClose, OnMessage, OnOpen, PathParam, ServerEndpoint, Session } from "ws-endpoints";

@ServerEndpoint("/rooms/{room}")
export class ChatEndpoint {
  private room = "";

  @OnOpen()
  open(session: Session, @PathParam("room") room: string): void {
    this.room = room;
    session.getAsyncRemote().sendText(`joined ${room}`);
  }

  @OnMessage()
  message(text: string, session: Session): string {
    for (const peer of session.getOpenSessions()) {
      if (peer !== session) peer.getAsyncRemote().sendText(text);
    }
    return `${this.room}: ${text}`;
  }

  @OnClose()
  close(session: Session, reason: CloseReason): void {
    console.log(`${session.getId()} left: ${reason.getCloseCode()}`);
  }
}

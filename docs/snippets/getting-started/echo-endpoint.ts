import { CloseReason, OnClose, OnError, OnMessage, OnOpen, PathParam, ServerEndpoint, Session } from "ws-endpoints";

@ServerEndpoint("/echo/{name}")
export class EchoEndpoint {
  private count = 0;

  @OnOpen()
  open(session: Session, @PathParam("name") name: string): void {
    session.getAsyncRemote().sendText(`welcome, ${name}`);
  }

  @OnMessage()
  async message(text: string, session: Session): Promise<string> {
    await session.getBasicRemote().sendText(`you said: ${text}`); // resolves once flushed
    return `message #${++this.count}`; // a return value is sent back too
  }

  @OnClose()
  close(session: Session, reason: CloseReason): void {
    console.log(`${session.getId()} left: ${reason}`);
  }

  @OnError()
  error(session: Session, error: Error): void {
    console.error(`${session.getId()}: ${error.message}`);
  }
}

import { IsString, Length } from "class-validator";
import { OnMessage, OnOpen, ServerEndpoint, Session } from "ws-endpoints";

export class ChatMessage {
  @IsString() @Length(1, 500) text!: string;
}

// ws-endpoints: one instance per connection, so per-client state is a field; the DTO is validated.
@ServerEndpoint("/chat")
export class ChatEndpoint {
  private name = "guest";

  @OnOpen()
  open(session: Session): void {
    session.getUserProperties().set("name", this.name);
  }

  @OnMessage({ type: "chat" })
  onChat(message: ChatMessage, session: Session): { type: string; text: string } {
    for (const peer of session.getOpenSessions()) {
      if (peer !== session) peer.getAsyncRemote().sendObject({ type: "chat", text: message.text });
    }
    return { type: "ack", text: `${this.name}: ${message.text}` };
  }
}

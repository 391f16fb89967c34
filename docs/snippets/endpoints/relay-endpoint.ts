// docs/endpoints.md, "Text you pass on": a relay that never decodes what it forwards.
import { OnMessage, ServerEndpoint, Session, TextMessage } from "ws-endpoints";

@ServerEndpoint("/relay")
export class RelayEndpoint {
  @OnMessage()
  relay(message: TextMessage, session: Session): void {
    // Commands are read (decoded once); everything else goes out as the bytes it came in.
    if (message.byteLength < 64 && message.text.startsWith("/")) return;
    for (const peer of session.getOpenSessions()) {
      if (peer !== session) peer.getAsyncRemote().sendText(message);
    }
  }
}

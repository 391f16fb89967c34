// The server side of the contract: one handler per client message, with the contract's DTO classes.
import { OnMessage, ServerEndpoint, Session } from "ws-endpoints";
import { JoinRequest, SayMessage } from "./contract.js";

@ServerEndpoint("/chat")
export class ChatEndpoint {
  private user = "";

  // A request: the returned object is the reply; the framework copies the request's id into it.
  @OnMessage({ type: "join" })
  join(msg: JoinRequest, session: Session) {
    session.join(msg.room);
    this.user = `guest-${session.getId().slice(0, 4)}`;
    return { type: "joined", room: msg.room, online: session.getOpenSessions().size };
  }

  @OnMessage({ type: "say" })
  say(msg: SayMessage) {
    return { type: "said", from: this.user, text: msg.text };
  }
}

import { OnMessage, PathParam, RequestTimeoutError, ServerEndpoint, Session } from "ws-endpoints";
import { chatContract, Joined, JoinRequest, SayMessage } from "./chat-contract.js";

@ServerEndpoint({ path: "/chat/{user}", contract: chatContract, liveness: true, requestTimeout: 10_000 })
export class ChatEndpoint {
  @OnMessage({ type: "say" })
  say(message: SayMessage, session: Session, @PathParam("user") user: string): void {
    session.typed(chatContract).send("said", { from: user, text: message.text });
  }

  @OnMessage({ type: "join", reply: Joined })
  async join(request: JoinRequest, session: Session): Promise<Joined> {
    const chat = session.typed(chatContract);
    let accepted = false;
    try {
      ({ accepted } = await chat.request("confirm", { question: `Join ${request.room}?` }, { timeout: 5_000 }));
    } catch (error) {
      if (!(error instanceof RequestTimeoutError)) throw error;
    }
    const room = accepted ? request.room : "lobby";
    session.join(room);
    chat.send("presence", { room, online: 1 });
    return { room, online: 1 };
  }
}

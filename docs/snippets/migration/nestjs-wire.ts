import { IsInt, IsString, Length } from "class-validator";
import { OnMessage, ServerEndpoint, Session } from "ws-endpoints";

/** Nest's `@MessageBody() text: string` becomes a field of a validated DTO: the payload is `{ data }`. */
export class ChatBody {
  @IsString() @Length(1, 500) data!: string;
}

// {"event":"chat","data":"hi"} in, {"event":"ack","data":"hi"} out: Nest's ws adapter wire format.
@ServerEndpoint({ path: "/nest/chat", envelope: { typeField: "event" } })
export class NestChatEndpoint {
  @OnMessage({ type: "chat" })
  chat(body: ChatBody, session: Session): { event: string; data: string } {
    for (const peer of session.getOpenSessions()) {
      if (peer !== session) peer.getAsyncRemote().sendObject({ event: "chat", data: body.data });
    }
    return { event: "ack", data: body.data };
  }

  // A string parameter is the whole message as received, envelope included; not Nest's `data`.
  @OnMessage({ type: "raw" })
  raw(message: string): string {
    return message;
  }
}

export class Move {
  @IsInt() x!: number;
  @IsInt() y!: number;
}

// When every `data` is an object, dataField hands the DTO that object: {"event":"move","data":{"x":1,"y":2}}.
@ServerEndpoint({ path: "/nest/game", envelope: { typeField: "event", dataField: "data" } })
export class NestGameEndpoint {
  @OnMessage({ type: "move" })
  move(move: Move): { event: string; data: Move } {
    return { event: "moved", data: move };
  }
}

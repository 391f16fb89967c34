// The README's example, kept compiling by `npm run lint` (tsconfig includes docs/snippets).
import "reflect-metadata";
import { IsString, MaxLength } from "class-validator";
import { bootstrap, Broadcaster, CloseReason, OnClose, OnMessage, OnOpen, PathParam, ServerEndpoint, Session } from "ws-endpoints";

class Say {
  @IsString() @MaxLength(500) text!: string; // invalid input gets a precise error reply, never a crash
}

@ServerEndpoint("/rooms/{room}")
class RoomEndpoint {
  private room = "";
  constructor(private readonly broadcaster: Broadcaster) {} // injected (tsyringe)

  @OnOpen() open(session: Session, @PathParam("room") room: string) {
    this.room = room;
    session.join(room); // rooms span every node sharing a broker (memory by default, Redis opt-in)
  }

  @OnMessage({ type: "say" }) async say(msg: Say, session: Session) {
    await this.broadcaster.broadcast({ type: "said", text: msg.text }, { room: this.room, except: session });
    return { type: "ack" }; // a return value is the reply
  }

  @OnClose() close(reason: CloseReason) {
    console.log(`left ${this.room}: ${reason}`);
  }
}

bootstrap({ endpoints: [RoomEndpoint], port: 8080 }).then((app) => process.once("SIGTERM", () => void app.close()));

import { Type } from "class-transformer";
import { IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from "class-validator";
import { OnError, OnMessage, ServerEndpoint, DecodeError, Session } from "ws-endpoints";

/** `{ "type": "join", "nickname": "alice" }` */
export class JoinMessage {
  @IsString()
  @Length(2, 20)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: "nickname may contain letters, digits, _ and - only" })
  nickname!: string;
}

export class Mention {
  @IsString() @Length(2, 20) nickname!: string;
}

/** `{ "type": "chat", "text": "hi", "mentions": [{ "nickname": "bob" }] }` */
export class ChatMessage {
  @IsString()
  @Length(1, 500)
  text!: string;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => Mention)
  mentions?: Mention[];
}

@ServerEndpoint({ path: "/chat", invalidMessages: "reply" })
export class ChatEndpoint {
  private nickname = "";
  rejected = 0;

  @OnMessage({ type: "join" })
  join(msg: JoinMessage) {
    this.nickname = msg.nickname;
    return { type: "joined", nickname: msg.nickname };
  }

  @OnMessage({ type: "chat", maxMessageSize: 4096 })
  chat(msg: ChatMessage, session: Session) {
    for (const peer of session.getOpenSessions()) {
      if (peer !== session) peer.getAsyncRemote().sendObject({ type: "chat", from: this.nickname, text: msg.text });
    }
    return { type: "sent" };
  }

  @OnError()
  failed(error: Error) {
    // The peer already got the error reply; count it, log it, or close here.
    if (error instanceof DecodeError) this.rejected++;
  }
}

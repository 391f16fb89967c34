import {
  CloseCodes,
  CloseReason,
  OnClose,
  OnError,
  OnMessage,
  OnOpen,
  PathParam,
  ServerEndpoint,
  Session,
} from "ws-endpoints";
import { NICKNAME, parseClientMessage, ProtocolError, type ServerMessage } from "./protocol.js";
import { Roster } from "./roster.js";

/** Close code for a refused nickname (application range 4000–4999). */
export const NICKNAME_REFUSED = 4001;

/**
 * The seed's group chat: everyone in one room, join/leave notices with the online count, and private
 * messages to one user by nickname. One instance per connection; the roster is shared.
 */
@ServerEndpoint("/chat/{user}")
export class ChatEndpoint {
  private user = "";

  constructor(private readonly roster: Roster) {}

  @OnOpen()
  open(session: Session, @PathParam("user") user: string): void {
    if (!NICKNAME.test(user)) {
      session.close(new CloseReason(NICKNAME_REFUSED, "nickname must be 1-20 letters, digits, _ - or ."));
      return;
    }
    if (!this.roster.join(user, session)) {
      session.close(new CloseReason(NICKNAME_REFUSED, `nickname "${user}" is already in use`));
      return;
    }
    this.user = user;
    send(session, { type: "welcome", user, online: this.roster.size, users: this.roster.users() });
    this.broadcast({ type: "joined", user, online: this.roster.size }, session);
  }

  @OnMessage()
  message(raw: string, session: Session): void {
    const msg = parseClientMessage(raw);
    if (msg instanceof ProtocolError) return send(session, msg.toMessage());
    const at = new Date().toISOString();
    if (msg.type === "chat") {
      this.broadcast({ type: "chat", from: this.user, text: msg.text, at });
      return;
    }
    const target = this.roster.find(msg.to);
    if (!target || !target.isOpen()) {
      return send(session, new ProtocolError("USER_OFFLINE", `"${msg.to}" is not online.`).toMessage());
    }
    const note: ServerMessage = { type: "private", from: this.user, to: msg.to, text: msg.text, at };
    send(target, note);
    if (target !== session) send(session, note);
  }

  @OnClose()
  close(session: Session): void {
    if (this.user && this.roster.leave(this.user, session)) {
      this.broadcast({ type: "left", user: this.user, online: this.roster.size });
    }
  }

  @OnError()
  error(session: Session, error: Error): void {
    // Only our own bugs land here (peer input errors are answered above); keep the peer informed.
    console.error(`chat: ${this.user || "?"}: ${error.message}`);
    if (session.isOpen()) session.close(new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "internal error"));
  }

  /** Encodes once, sends to everyone online (except `skip`) without waiting for slow peers. */
  private broadcast(msg: ServerMessage, skip?: Session): void {
    const text = JSON.stringify(msg);
    for (const s of this.roster.sessions()) if (s !== skip) s.getAsyncRemote().sendText(text);
  }
}

function send(session: Session, msg: ServerMessage): void {
  session.getAsyncRemote().sendText(JSON.stringify(msg));
}

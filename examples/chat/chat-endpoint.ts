import {
  CloseCodes,
  CloseReason,
  DecodeError,
  OnClose,
  OnError,
  OnMessage,
  OnOpen,
  PathParam,
  ServerEndpoint,
  Session,
} from "ws-endpoints";
import { ChatMessage, PrivateMessage } from "./messages.js";
import { NICKNAME, ProtocolError, type ServerMessage } from "./protocol.js";
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

  // Peers send JSON envelopes routed by "type"; the framework decodes and validates them, and answers
  // bad input itself ({"type":"error","code":"VALIDATION_FAILED"|"UNKNOWN_MESSAGE_TYPE"|"INVALID_JSON",...}).
  @OnMessage({ type: "chat" })
  chat(msg: ChatMessage): void {
    this.broadcast({ type: "chat", from: this.user, text: msg.text, at: new Date().toISOString() });
  }

  @OnMessage({ type: "private" })
  direct(msg: PrivateMessage, session: Session): void {
    const target = this.roster.find(msg.to);
    if (!target || !target.isOpen()) {
      return send(session, new ProtocolError("USER_OFFLINE", `"${msg.to}" is not online.`).toMessage());
    }
    const note: ServerMessage = { type: "private", from: this.user, to: msg.to, text: msg.text, at: new Date().toISOString() };
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
    // Invalid input was already answered with an error message; the session goes on.
    if (error instanceof DecodeError) return;
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

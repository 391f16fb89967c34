import { CloseCodes, CloseReason, DecodeError, OnClose, OnError, OnMessage, ServerEndpoint, Session } from "ws-endpoints";
import { chatContract } from "./contract.js";
import { ChatMessage, JoinRequest, PrivateMessage } from "./messages.js";
import { ProtocolError, type ServerMessage } from "./protocol.js";
import { Roster } from "./roster.js";

/**
 * The seed's group chat: everyone in one room, join/leave notices with the online count, and private
 * messages to one user by nickname. One instance per connection; the roster is shared. A connection
 * joins with a `join` request (the page repeats it after each reconnect); the reply carries its id.
 * The contract (contract.ts) is checked against the handlers at bootstrap and types the page's client.
 */
@ServerEndpoint({ path: "/chat", contract: chatContract })
export class ChatEndpoint {
  private user = "";

  constructor(private readonly roster: Roster) {}

  // Peers send JSON envelopes routed by "type"; the framework decodes and validates them, and answers
  // bad input itself ({"type":"error","code":"VALIDATION_FAILED"|"UNKNOWN_MESSAGE_TYPE"|"INVALID_JSON",...}),
  // with the request's id when it had one.
  @OnMessage({ type: "join" })
  join(msg: JoinRequest, session: Session): ServerMessage {
    if (this.user) return new ProtocolError("ALREADY_JOINED", `You already joined as "${this.user}".`).toMessage();
    if (!this.roster.join(msg.nickname, session)) return new ProtocolError("NICKNAME_TAKEN", `nickname "${msg.nickname}" is already in use`).toMessage();
    this.user = msg.nickname;
    this.broadcast({ type: "joined", user: this.user, online: this.roster.size }, session);
    return { type: "welcome", user: this.user, online: this.roster.size, users: this.roster.users() };
  }

  @OnMessage({ type: "chat" })
  chat(msg: ChatMessage, session: Session): void {
    if (!this.joined(session)) return;
    this.broadcast({ type: "chat", from: this.user, text: msg.text, at: new Date().toISOString() });
  }

  @OnMessage({ type: "private" })
  direct(msg: PrivateMessage, session: Session): void {
    if (!this.joined(session)) return;
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

  private joined(session: Session): boolean {
    if (!this.user) send(session, new ProtocolError("NOT_JOINED", "Join first: send a join request with your nickname.").toMessage());
    return this.user !== "";
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

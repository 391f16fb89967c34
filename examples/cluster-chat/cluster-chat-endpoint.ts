import {
  Broadcaster,
  BrokerError,
  CloseCodes,
  CloseReason,
  DecodeError,
  OnClose,
  OnError,
  OnMessage,
  Presence,
  ServerEndpoint,
  Session,
} from "ws-endpoints";
import { ChatMessage, JoinRequest, PrivateMessage } from "../chat/messages.js";
import { ProtocolError, type ServerMessage } from "../chat/protocol.js";

/** The room everyone chats in. */
export const LOBBY = "lobby";

/**
 * The group chat of examples/chat, spread over several server processes: the same page and protocol,
 * but the online count, the user list, chat messages and private messages span every node sharing the
 * broker. Nothing here knows about Redis: the endpoint only talks to the injected Broadcaster and Presence.
 */
@ServerEndpoint("/chat")
export class ClusterChatEndpoint {
  private user = "";

  constructor(
    private readonly broadcaster: Broadcaster,
    private readonly presence: Presence,
  ) {}

  /** A request, as in the single-node chat: the welcome (or an error) is the reply, with the request's id. */
  @OnMessage({ type: "join" })
  async join(msg: JoinRequest, session: Session): Promise<ServerMessage> {
    const user = msg.nickname;
    if (this.user) return new ProtocolError("ALREADY_JOINED", `You already joined as "${this.user}".`).toMessage();
    // Best effort across nodes: two people taking the same free name at the same instant both get it.
    if ((await this.onlineUsers()).includes(user)) return new ProtocolError("NICKNAME_TAKEN", `nickname "${user}" is already in use`).toMessage();
    this.user = user;
    session.getUserProperties().set("user", user); // the user id sendToUser and presence use (see main options)
    session.join(LOBBY);
    const users = await this.onlineUsers();
    void this.broadcaster.broadcast({ type: "joined", user, online: users.length } satisfies ServerMessage, { room: LOBBY, except: session });
    return { type: "welcome", user, online: users.length, users };
  }

  @OnMessage({ type: "chat" })
  chat(msg: ChatMessage, session: Session): void {
    if (!this.joined(session)) return;
    void this.broadcaster.broadcast({ type: "chat", from: this.user, text: msg.text, at: new Date().toISOString() } satisfies ServerMessage, { room: LOBBY });
  }

  @OnMessage({ type: "private" })
  async direct(msg: PrivateMessage, session: Session): Promise<void> {
    if (!this.joined(session)) return;
    if (!(await this.onlineUsers()).includes(msg.to)) return send(session, new ProtocolError("USER_OFFLINE", `"${msg.to}" is not online.`).toMessage());
    const note: ServerMessage = { type: "private", from: this.user, to: msg.to, text: msg.text, at: new Date().toISOString() };
    // Reaches the user's sessions on whichever node they are connected to.
    await this.broadcaster.sendToUser(msg.to, note);
    if (msg.to !== this.user) send(session, note);
  }

  @OnClose()
  async close(): Promise<void> {
    if (!this.user) return;
    // This session has already left presence, so the count no longer includes it.
    const online = (await this.onlineUsers()).length;
    void this.broadcaster.broadcast({ type: "left", user: this.user, online } satisfies ServerMessage, { room: LOBBY });
  }

  @OnError()
  error(session: Session, error: Error): void {
    // Invalid input was already answered with an error message.
    if (error instanceof DecodeError) return;
    // Presence is unknown while Redis is down: say so and keep the connection; anything else is our bug.
    if (error instanceof BrokerError) {
      console.warn(`cluster-chat: ${error.message}`);
      return;
    }
    console.error(`cluster-chat: ${this.user || "?"}: ${error.message}`);
    if (session.isOpen()) session.close(new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "internal error"));
  }

  private joined(session: Session): boolean {
    if (!this.user) send(session, new ProtocolError("NOT_JOINED", "Join first: send a join request with your nickname.").toMessage());
    return this.user !== "";
  }

  private async onlineUsers(): Promise<string[]> {
    const names = new Set<string>();
    for (const e of await this.presence.list(LOBBY)) if (e.userId !== undefined) names.add(e.userId);
    return [...names].sort();
  }
}

function send(session: Session, msg: ServerMessage): void {
  session.getAsyncRemote().sendText(JSON.stringify(msg));
}

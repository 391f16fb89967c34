import {
  CloseReason,
  OnClose,
  OnError,
  OnMessage,
  OnOpen,
  PathParam,
  QueryParam,
  ServerEndpoint,
  Session,
} from "ws-endpoints";

@ServerEndpoint({ path: "/rooms/{room}/seats/{seat}", subprotocols: ["room.v1"], maxMessageSize: 16 * 1024 })
export class RoomEndpoint {
  // One instance per connection: fields are per-connection state.
  private nickname = "guest";
  private seat = 0;

  @OnOpen()
  open(session: Session, @PathParam("room") room: string, @PathParam("seat") seat: number, @QueryParam("nick") nick?: string): void {
    this.seat = seat; // already a number: "/rooms/a/seats/x" was refused with HTTP 400
    this.nickname = nick ?? "guest";
    session.getAsyncRemote().sendText(`${this.nickname} sits in ${room}, seat ${seat} (${session.getNegotiatedSubprotocol() || "no subprotocol"})`);
  }

  @OnMessage()
  say(text: string): string {
    if (text === "boom") throw new Error("boom is not allowed");
    return `${this.nickname}@${this.seat}: ${text}`; // the return value is the reply
  }

  @OnError()
  failed(session: Session, error: Error): void {
    // The session stays open: the peer is told, the next message is handled normally.
    session.getAsyncRemote().sendText(`error: ${error.message}`); // `error` is what `say` threw
  }

  @OnClose()
  closed(reason: CloseReason): void {
    console.log(`${this.nickname} left with ${reason.getCloseCode()}`);
  }
}

import { Broadcaster, Configurator, OnMessage, OnOpen, PathParam, ServerEndpoint, Session, type HandshakeRequest } from "ws-endpoints";

/** Whoever the request names is the principal; a real one would check a token here (see security.md). */
export class NameAuth extends Configurator {
  override authenticate(request: HandshakeRequest): string {
    return request.queryParameters.get("user") ?? "guest";
  }
}

@ServerEndpoint({ path: "/desk/{team}", configurator: NameAuth })
export class DeskEndpoint {
  constructor(private readonly broadcaster: Broadcaster) {}

  @OnOpen()
  open(session: Session, @PathParam("team") team: string): void {
    session.join(team); // left automatically when the session closes
    session.join("everyone");
    // Guests are dropped with 1001 after a second without a message either way; members stay.
    if (session.getUserPrincipal() === "guest") session.setMaxIdleTimeout(1_000);
  }

  @OnMessage()
  async command(text: string, session: Session): Promise<string> {
    if (text === "rooms") return [...session.getRooms()].join(",");
    if (text.startsWith("leave ")) {
      session.leave(text.slice(6)); // leaving a room the session is not in does nothing
      return `left ${text.slice(6)}`;
    }
    const [team] = session.getRooms();
    await this.broadcaster.broadcast(`${String(session.getUserPrincipal())}: ${text}`, { room: team!, except: session });
    return "sent";
  }
}

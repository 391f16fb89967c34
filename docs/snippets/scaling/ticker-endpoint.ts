import { Broadcaster, OnMessage, OnOpen, PathParam, Presence, ServerEndpoint, Session } from "ws-endpoints";

@ServerEndpoint("/tickers/{symbol}")
export class TickerEndpoint {
  constructor(
    private readonly broadcaster: Broadcaster,
    private readonly presence: Presence,
  ) {}

  @OnOpen()
  async open(session: Session, @PathParam("symbol") symbol: string): Promise<void> {
    session.join(symbol); // left automatically when the session closes
    const watchers = await this.presence.count(symbol); // every node sharing the broker
    session.getAsyncRemote().sendObject({ symbol, watchers });
  }

  @OnMessage()
  async quote(price: string, session: Session): Promise<string> {
    const [symbol] = session.getRooms();
    // One frame built, queued for every watcher of the symbol on every node but the sender.
    const result = await this.broadcaster.broadcast({ symbol, price }, { room: symbol, except: session });
    return result.published ? "sent" : `sent on this node only: ${result.error?.message}`;
  }
}

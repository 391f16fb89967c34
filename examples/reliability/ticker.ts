import { OnClose, OnOpen, ServerEndpoint, Session } from "ws-endpoints";

/** Pushes prices to every subscriber; a subscriber that stops reading loses the oldest prices, never the process. */
@ServerEndpoint({
  path: "/ticker",
  heartbeatInterval: 15_000, // ping every 15 s; no pong by the next ping → terminated, @OnClose sees 1006
  maxIdleTimeout: 0, // pushes count as activity, so idle timeout is pointless here
  outbound: { maxMessages: 256, maxBytes: 256 * 1024, policy: "drop-oldest" },
})
export class TickerEndpoint {
  static readonly subscribers = new Set<Session>();

  @OnOpen() open(session: Session): void {
    TickerEndpoint.subscribers.add(session);
  }

  @OnClose() close(session: Session): void {
    TickerEndpoint.subscribers.delete(session);
  }

  static publish(price: number): void {
    for (const s of TickerEndpoint.subscribers) s.getAsyncRemote().sendText(String(price));
  }
}

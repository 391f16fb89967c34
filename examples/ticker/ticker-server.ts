import type { DependencyContainer } from "tsyringe";
import { bootstrap, OnClose, OnMessage, ServerEndpoint, Session, type Logger, type ServerHandle } from "ws-endpoints";
import { PriceFeed } from "./price-feed.js";

/** What a subscriber sends: `{"subscribe": ["ACME", "GLOBEX"]}`. */
function parseSubscribe(text: string): string[] | undefined {
  try {
    const value = JSON.parse(text) as { subscribe?: unknown };
    const symbols = value?.subscribe;
    return Array.isArray(symbols) && symbols.every((s) => typeof s === "string") ? symbols : undefined;
  } catch {
    return undefined;
  }
}

/** Pushes prices to every session subscribed to them. One instance per connection; the feed is shared. */
@ServerEndpoint("/ticker")
export class TickerEndpoint {
  constructor(private readonly feed: PriceFeed) {}

  @OnMessage()
  command(text: string, session: Session): string {
    const symbols = parseSubscribe(text);
    if (symbols === undefined) return JSON.stringify({ type: "error", message: 'expected {"subscribe": ["SYMBOL", ...]}' });
    return JSON.stringify({ type: "subscribed", symbols: this.feed.subscribe(session, symbols) });
  }

  @OnClose()
  gone(session: Session): void {
    this.feed.unsubscribe(session);
  }
}

/** Serves the ticker on `port` (0: a free one) of 127.0.0.1. */
export function startTickerServer(port: number, options: { container?: DependencyContainer; logger?: Logger } = {}): Promise<ServerHandle> {
  return bootstrap({ endpoints: [TickerEndpoint], port, host: "127.0.0.1", ...options });
}

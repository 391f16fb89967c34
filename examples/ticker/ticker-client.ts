import { singleton } from "tsyringe";
import { ClientEndpoint, CloseReason, OnClose, OnMessage, OnOpen, Session } from "ws-endpoints";
import type { Quote } from "./price-feed.js";

/** What the client side of the application sees: the latest quote per symbol and the connection state. */
@singleton()
export class QuoteBoard {
  /** Symbols to subscribe to on every connection. */
  symbols: readonly string[] = ["ACME", "GLOBEX"];
  readonly latest = new Map<string, Quote>();
  /** Connections opened so far (more than one after a reconnect). */
  connections = 0;
  private readonly listeners = new Set<(event: BoardEvent) => void>();

  /** Calls `listener` on every quote and connection change; returns the unsubscribe function. */
  listen(listener: (event: BoardEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @internal */
  emit(event: BoardEvent): void {
    if (event.type === "quote") this.latest.set(event.quote.symbol, event.quote);
    if (event.type === "connected") this.connections++;
    for (const l of this.listeners) l(event);
  }
}

/** A change the board reports. */
export type BoardEvent =
  | { readonly type: "connected" }
  | { readonly type: "subscribed"; readonly symbols: readonly string[] }
  | { readonly type: "quote"; readonly quote: Quote }
  | { readonly type: "disconnected"; readonly code: number; readonly reconnecting: boolean };

/**
 * Consumes the ticker. It subscribes in @OnOpen, which runs again on every connection, so after the
 * server restarts the subscription is renewed without any reconnect-specific code.
 */
@ClientEndpoint()
export class TickerClient {
  constructor(private readonly board: QuoteBoard) {}

  @OnOpen()
  subscribe(session: Session): void {
    this.board.emit({ type: "connected" });
    session.getAsyncRemote().sendText(JSON.stringify({ subscribe: this.board.symbols }));
  }

  @OnMessage()
  received(text: string): void {
    const message = JSON.parse(text) as Quote | { type: "subscribed"; symbols: string[] } | { type: "error"; message: string };
    if (message.type === "quote") this.board.emit({ type: "quote", quote: message });
    else if (message.type === "subscribed") this.board.emit({ type: "subscribed", symbols: message.symbols });
    else throw new Error(`the ticker refused the subscription: ${message.message}`);
  }

  @OnClose()
  closed(reason: CloseReason, session: Session): void {
    // isOpen() stays true while the client reconnects: sends are held for the next connection.
    this.board.emit({ type: "disconnected", code: reason.getCloseCode(), reconnecting: session.isOpen() });
  }
}

import { singleton } from "tsyringe";
import type { Session } from "ws-endpoints";

/** One price update, as the server pushes it. */
export interface Quote {
  readonly type: "quote";
  readonly symbol: string;
  readonly price: number;
  /** Increases by one with every update of this symbol. */
  readonly seq: number;
}

const OPENING: Readonly<Record<string, number>> = { ACME: 101.5, GLOBEX: 42.1, INITECH: 7.35, UMBRELLA: 250 };

/**
 * A simulated market: moves every symbol on a timer and pushes each move to the sessions subscribed to
 * it. A singleton, so it outlives connections (and, in the demo, server restarts).
 */
@singleton()
export class PriceFeed {
  /** Symbols that can be subscribed to. */
  readonly symbols: readonly string[] = Object.keys(OPENING);
  private readonly prices = new Map<string, { price: number; seq: number }>(Object.entries(OPENING).map(([s, p]) => [s, { price: p, seq: 0 }]));
  private readonly subscribers = new Map<Session, ReadonlySet<string>>();
  private timer: NodeJS.Timeout | undefined;

  /** Starts moving prices every `intervalMs`. */
  start(intervalMs = 500): void {
    this.stop();
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Replaces what `session` is subscribed to; returns the symbols that exist. */
  subscribe(session: Session, symbols: readonly string[]): string[] {
    const known = symbols.filter((s) => this.prices.has(s));
    this.subscribers.set(session, new Set(known));
    return known;
  }

  unsubscribe(session: Session): void {
    this.subscribers.delete(session);
  }

  /** Sessions currently subscribed. */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  private tick(): void {
    for (const [symbol, state] of this.prices) {
      // A small random walk, rounded to cents, never below one cent.
      state.price = Math.max(0.01, Math.round(state.price * (1 + (Math.random() - 0.5) / 50) * 100) / 100);
      state.seq++;
      const quote: Quote = { type: "quote", symbol, price: state.price, seq: state.seq };
      for (const [session, wanted] of this.subscribers) {
        // Async sends never throw; a session that closed meanwhile just misses the tick.
        if (wanted.has(symbol)) session.getAsyncRemote().sendObject(quote);
      }
    }
  }
}

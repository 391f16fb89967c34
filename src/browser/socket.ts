/**
 * The part of the WHATWG `WebSocket` the client uses, declared here so the package needs no DOM typings:
 * the browser's class and `ws`'s both fit.
 */

/**
 * An event handler property. Declared through a method so its parameter is checked bivariantly: the DOM's
 * and `ws`'s handlers take richer event types than the fields the client reads.
 */
export type EventHandler<E> = {
  /** Receives the event. */
  bivariance(event: E): void;
}["bivariance"] | null;

/** A WebSocket as the client sees it. */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Sends a text message. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** The connection opened. */
  onopen: EventHandler<unknown>;
  /** A message arrived; text messages have a string `data`. */
  onmessage: EventHandler<{
    /** The message. */
    readonly data: unknown;
  }>;
  /** The connection closed. */
  onclose: EventHandler<{
    /** Close code (1006 when no close frame came). */
    readonly code: number;
    /** Close reason. */
    readonly reason: string;
  }>;
  /** The connection failed; a close event follows. */
  onerror: EventHandler<unknown>;
}

/** A `WebSocket` class: `new WebSocket(url, protocols)`. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** `readyState` of an open socket. */
export const OPEN = 1;

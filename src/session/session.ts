import type { IncomingHttpHeaders } from "node:http";
import type { CloseReason } from "../close-reason.js";
import type { RemoteEndpoint } from "./remote-endpoint.js";

/**
 * One WebSocket connection, as seen by an endpoint. Declare a parameter of this type on any lifecycle
 * method to receive it. (An abstract class rather than an interface so that it exists at run time for
 * type-driven parameter resolution; the implementation is internal.)
 */
export abstract class Session {
  /** Unique id of this session. */
  abstract getId(): string;
  /** Values of the path template variables, as strings (a frozen object). */
  abstract getPathParameters(): Readonly<Record<string, string>>;
  /** The raw query string without `?` (empty when none). */
  abstract getQueryString(): string;
  /** Query parameters, each with every value given. Read-only at run time: `set`/`delete`/`clear` throw a `TypeError`. */
  abstract getRequestParameterMap(): ReadonlyMap<string, readonly string[]>;
  /** Headers of the upgrade request (a frozen object). */
  abstract getRequestHeaders(): Readonly<IncomingHttpHeaders>;
  /** The request path of the upgrade (without the query string). */
  abstract getRequestPath(): string;
  /** Free per-session state for the application. */
  abstract getUserProperties(): Map<string, unknown>;
  /**
   * Open sessions of the same endpoint on this server, this one included while open: a new copy on each
   * call (the spec's "copy of the Set"), so keeping or changing it never touches the server's registry.
   */
  abstract getOpenSessions(): ReadonlySet<Session>;
  /** Whether messages can still be sent. */
  abstract isOpen(): boolean;
  /**
   * Closes the session (default 1000 NORMAL_CLOSURE). Messages already submitted are sent first. Closing
   * a session that is already closing does nothing.
   */
  abstract close(reason?: CloseReason): void;
  /** The subprotocol selected at the handshake, or `""`. */
  abstract getNegotiatedSubprotocol(): string;
  /** The peer's IP address (as seen by this server; see the deployment guide behind proxies). */
  abstract getRemoteAddress(): string;
  /** The principal established by authentication at the handshake, or `undefined`. */
  abstract getUserPrincipal(): unknown;
  /** Sends that return promises settling when flushed. */
  abstract getBasicRemote(): RemoteEndpoint.Basic;
  /** Fire-and-forget sends that never throw. */
  abstract getAsyncRemote(): RemoteEndpoint.Async;
  /** Milliseconds without a message in either direction after which the session closes with 1001 (0: never). */
  abstract getMaxIdleTimeout(): number;
  /**
   * Closes the session with 1001 GOING_AWAY after `ms` without a message in either direction (pings
   * and pongs do not count); 0 disables. Overrides the endpoint's `maxIdleTimeout`.
   * @throws RangeError when `ms` is not a non-negative integer.
   */
  abstract setMaxIdleTimeout(ms: number): void;
  /** Bytes accepted for sending but not yet written to the network (queued in the session plus buffered in the socket). */
  abstract getBufferedAmount(): number;
  /** Messages accepted for sending that wait in the session's outbound queue (not yet handed to the socket). */
  abstract getOutboundQueueDepth(): number;
  /**
   * Adds this session to `room` (a non-empty string of at most 256 characters), so that broadcasts to
   * the room reach it and presence counts it. Joining twice is the same as once; a session that is
   * closing joins nothing. A session leaves all its rooms when it closes.
   *
   * @example
   * ```ts
   * @OnOpen() open(session: Session, @PathParam("room") room: string) { session.join(room); }
   * ```
   * @throws TypeError/RangeError for an unusable room name.
   */
  abstract join(room: string): void;
  /** Removes this session from `room`; leaving a room it is not in does nothing. @throws TypeError for a non-string. */
  abstract leave(room: string): void;
  /**
   * The rooms this session joined. In `@OnClose` it still lists them, although the session has already
   * left them (broadcasts no longer reach it and presence no longer counts it). A read-only copy: use
   * `join`/`leave` to change it (`add`/`delete`/`clear` throw a TypeError).
   */
  abstract getRooms(): ReadonlySet<string>;
  /**
   * Whether this session was recovered: its client dropped abnormally and came back within the
   * endpoint's `recovery.window` (docs/reliability.md, "Session recovery"), so it has its previous id,
   * rooms and user properties, and was sent what it missed before anything new. False for a new session.
   */
  isRecovered(): boolean {
    return false;
  }
}

import type { IncomingHttpHeaders } from "node:http";
import type { CloseReason } from "../close-reason.js";
import type { RemoteEndpoint } from "./remote-endpoint.js";
import type { AsyncSendHandle } from "./pending-send.js";
import type { ContractShape } from "../contract/contract.js";
import type { ContractSession, ServerRequestOptions } from "../contract/session-types.js";

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
  /**
   * The peer's IP address: on a server, the client's, which behind a reverse proxy is the address the
   * trusted proxies forwarded (`trustProxy`, see the deployment guide); on a client, the server's.
   */
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
   * Pushes one envelope message, `{"type":"said",...payload}` in the endpoint's envelope (docs/contract.md),
   * like `getAsyncRemote().sendObject`: returns at once, never rejects; await the handle for the outcome.
   *
   * @example
   * ```ts
   * session.send("said", { from: "ann", text: "hi" });
   * ```
   * @throws TypeError when the endpoint's contract has no such server message, or the payload is not an
   * object or carries an envelope field (`type`, `id`).
   */
  abstract send(type: string, payload: object): AsyncSendHandle;
  /**
   * Asks the peer and waits for its answer: sends `{"type":"confirm","id":"s1",...payload}` and resolves
   * with the `data` of the peer's `{"type":"$reply","id":"s1","ok":true,"data":…}`. The browser client
   * answers through `client.handle("confirm", …)`. A handler awaiting this holds its session's queue; the
   * reply is matched before the queue, so it still arrives (docs/contract.md).
   *
   * Rejects with `RequestFailedError` (the peer answered `ok: false`; `reason` is its code),
   * `RequestTimeoutError` (no answer within `timeout`), `SessionClosedError` (closed first) or
   * `QueueOverflowError` (`maxPendingRequests` requests already wait).
   *
   * @example
   * ```ts
   * const { accepted } = await session.request("confirm", { question: "Leave?" }, { timeout: 5000 });
   * ```
   * @throws TypeError/RangeError for a type the endpoint's contract lacks, a bad payload or timeout, or an endpoint
   * whose `envelope.idField` is null.
   */
  abstract request(type: string, payload: object, options?: ServerRequestOptions): Promise<unknown>;
  /**
   * This session typed by `contract` (`ws-endpoints/contract`): its `send` and `request` accept only the
   * contract's `server` messages, with their payloads, and `request` resolves to the reply's type. Returns
   * this same object; no allocation.
   *
   * @example
   * ```ts
   * session.typed(chatContract).send("said", { from: "ann", text: "hi" });
   * ```
   * @throws TypeError when the endpoint declares another contract.
   */
  abstract typed<C extends ContractShape>(contract: C): ContractSession<C>;
  /**
   * Whether this session was recovered: its client dropped abnormally and came back within the
   * endpoint's `recovery.window` (docs/reliability.md, "Session recovery"), so it has its previous id,
   * rooms and user properties, and was sent what it missed before anything new. False for a new session.
   */
  isRecovered(): boolean {
    return false;
  }
}

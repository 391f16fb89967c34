import type { BinaryData } from "../session/remote-endpoint.js";
import type { Session } from "../session/session.js";
import type { PresenceEntry } from "./broker.js";

/** What a broadcast may carry: text (a string, or a received TextMessage sent as its bytes), binary data, or an object for the endpoints' encoders. */
export type BroadcastData = string | BinaryData | object | number | boolean | null;

/** Where a broadcast goes. */
export interface BroadcastOptions {
  /** Only sessions in this room (default: every open session of every node). */
  readonly room?: string | undefined;
  /** Sessions (or session ids) that must not receive it, typically the sender. */
  readonly except?: Session | string | Iterable<Session | string> | undefined;
}

/**
 * How a broadcast went. Never a rejection: `broadcast` and `sendToUser` report failures as values, so
 * forgetting to await them cannot produce an unhandled rejection.
 */
export interface BroadcastResult {
  /** Sessions on this node the message was queued for. */
  readonly local: number;
  /** Sessions on this node it could not be queued for (closing, fragmenting, encoder failed). */
  readonly failed: number;
  /** Whether the broker accepted it for the other nodes. */
  readonly published: boolean;
  /** Why `published` is false; otherwise why a local session failed; else `undefined`. */
  readonly error: Error | undefined;
}

/**
 * Who is online, across every node sharing the broker. Inject it into an endpoint's constructor or use
 * `ServerHandle.presence`.
 *
 * @example
 * ```ts
 * const online = await presence.count();          // every open session
 * const inLobby = await presence.list("lobby");   // [{ sessionId, userId, nodeId }, ...]
 * ```
 */
export abstract class Presence {
  /** Sessions in `room`, or every open session. Rejects with `BrokerError` when the broker is unreachable. */
  abstract count(room?: string): Promise<number>;
  /** Who is in `room`, or every open session. Rejects with `BrokerError` when the broker is unreachable. */
  abstract list(room?: string): Promise<PresenceEntry[]>;
}

/**
 * Sends one message to many sessions: every session, a room, or a user's sessions, on this node and on
 * every node sharing the broker. The frame is built once and the same bytes are queued for every
 * session of this node, through each session's own outbound queue (order and backpressure per session
 * hold). Inject it into an endpoint's constructor, or use `ServerHandle.broadcaster`.
 *
 * Data: a string goes as text, a Buffer/ArrayBuffer/typed array as binary, anything else as an object
 * through each endpoint's encoders (JSON by default). Objects cross nodes in Node's structured-clone
 * format, so plain data, Dates, Maps, Sets and Buffers survive; class instances arrive as plain objects.
 *
 * @example
 * ```ts
 * @ServerEndpoint("/chat/{room}")
 * class Chat {
 *   constructor(private readonly broadcaster: Broadcaster) {}
 *   @OnOpen() open(session: Session, @PathParam("room") room: string) { session.join(room); }
 *   @OnMessage() message(text: string, session: Session) {
 *     void this.broadcaster.broadcast({ from: session.getId(), text }, { room: [...session.getRooms()][0], except: session });
 *   }
 * }
 * ```
 */
export abstract class Broadcaster {
  /** This node's id, as presence entries report it. */
  abstract readonly nodeId: string;
  /** Cluster-wide presence. */
  abstract readonly presence: Presence;
  /**
   * Sends `data` to every open session, or to those in `options.room`, on every node.
   * @throws TypeError/RangeError at the call for an unusable room or `except`.
   */
  abstract broadcast(data: BroadcastData, options?: BroadcastOptions): Promise<BroadcastResult>;
  /**
   * Sends `data` to every session of user `userId` (see the `userId` bootstrap option), on every node.
   * @throws TypeError at the call when `userId` is not a non-empty string.
   */
  abstract sendToUser(userId: string, data: BroadcastData): Promise<BroadcastResult>;
}

/**
 * The seam between one server ("node") and the others serving the same application. A broker carries
 * what a node publishes to every other node and answers cluster-wide presence questions. The in-memory
 * broker (default) and the Redis broker (`ws-endpoints/redis`) are siblings behind this interface.
 */

/** Kinds of {@link BrokerMessage}. */
export const BrokerMessageKinds = { BROADCAST: "broadcast", TO_USER: "to-user" } as const;
/** One of {@link BrokerMessageKinds}. */
export type BrokerMessageKind = (typeof BrokerMessageKinds)[keyof typeof BrokerMessageKinds];

/** Kinds of {@link BrokerPayload}. */
export const PayloadKinds = { TEXT: 0, BINARY: 1, OBJECT: 2 } as const;
/** One of {@link PayloadKinds}. */
export type PayloadKind = (typeof PayloadKinds)[keyof typeof PayloadKinds];

/**
 * What a broadcast carries between nodes, as bytes: UTF-8 text, binary data, or an object in Node's
 * structured-clone serialization (each receiving node encodes it with its own endpoints' encoders).
 */
export interface BrokerPayload {
  readonly kind: PayloadKind;
  readonly data: Buffer;
}

/** A message one node publishes for the others. */
export type BrokerMessage =
  | {
      readonly kind: typeof BrokerMessageKinds.BROADCAST;
      /** Only sessions in this room; `undefined` means every session. */
      readonly room: string | undefined;
      /** Ids of sessions that must not receive it. */
      readonly except: readonly string[];
      readonly payload: BrokerPayload;
      /** W3C `traceparent` of the span that sent it, only with tracing on; a broker carries it if it can. */
      readonly traceparent?: string;
      /**
       * The message's id (`origin:sequence`), set by nodes with session recovery so a session moving
       * between nodes gets each message once; a broker carries it if it can.
       */
      readonly id?: string;
    }
  | {
      readonly kind: typeof BrokerMessageKinds.TO_USER;
      readonly userId: string;
      readonly payload: BrokerPayload;
      /** W3C `traceparent` of the span that sent it, only with tracing on. */
      readonly traceparent?: string;
      /** The message's id, as for a broadcast. */
      readonly id?: string;
    };

/** Kinds of {@link PresenceChange}. */
export const PresenceChangeKinds = { OPEN: "open", USER: "user", JOIN: "join", LEAVE: "leave", CLOSE: "close" } as const;

// The pre-0.2 names, kept one release so broker implementations migrate at their own pace.
/** @deprecated Renamed {@link BrokerMessageKinds}; removed in the next release. */
export const BROKER_MESSAGE = BrokerMessageKinds;
/** @deprecated Renamed {@link PayloadKinds}; removed in the next release. */
export const PAYLOAD = PayloadKinds;
/** @deprecated Renamed {@link PresenceChangeKinds}; removed in the next release. */
export const PRESENCE_CHANGE = PresenceChangeKinds;

/** A change of one node's presence, reported to its broker as it happens. */
export type PresenceChange =
  | { readonly kind: typeof PresenceChangeKinds.OPEN; readonly sessionId: string; readonly userId: string | undefined }
  | { readonly kind: typeof PresenceChangeKinds.USER; readonly sessionId: string; readonly userId: string | undefined }
  | { readonly kind: typeof PresenceChangeKinds.JOIN; readonly sessionId: string; readonly room: string }
  /** `roomEmpty`: no session of this node is left in the room. */
  | { readonly kind: typeof PresenceChangeKinds.LEAVE; readonly sessionId: string; readonly room: string; readonly roomEmpty: boolean }
  | { readonly kind: typeof PresenceChangeKinds.CLOSE; readonly sessionId: string };

/** One open session as presence reports it. */
export interface PresenceEntry {
  readonly sessionId: string;
  /** The session's user id (see the `userId` bootstrap option), if it has one. */
  readonly userId: string | undefined;
  /** The node serving the session. */
  readonly nodeId: string;
}

/** One session of a node's full presence state (see {@link BrokerNode.snapshot}). */
export interface PresenceRecord {
  readonly sessionId: string;
  readonly userId: string | undefined;
  readonly rooms: readonly string[];
}

/** A node as its broker sees it. Implemented by the framework; brokers call it. */
export interface BrokerNode {
  /** Unique id of the node (a random UUID per server unless configured). */
  readonly nodeId: string;
  /** Delivers a message published by another node to this node's sessions. Never throws. */
  deliver(message: BrokerMessage): void;
  /** This node's sessions in `room` (every open session when `room` is undefined). */
  localPresence(room?: string): PresenceEntry[];
  /** Number of this node's sessions in `room` (every open session when undefined). */
  localCount(room?: string): number;
  /** Everything this node has, for rebuilding a broker's presence after an outage. */
  snapshot(): PresenceRecord[];
}

/** A node's connection to a broker, returned by {@link Broker.subscribe}. */
export interface BrokerSubscription {
  /**
   * Sends `message` to every other node (never back to this one). Resolves when the broker accepted it;
   * rejects with a `BrokerError` when it could not (the broker is unreachable).
   */
  publish(message: BrokerMessage): Promise<void>;
  /** Records a presence change. Never throws; a broker that cannot record it repairs itself later. */
  track(change: PresenceChange): void;
  /**
   * `false` when `track` records nothing (presence is read from the nodes themselves, as `MemoryBroker`
   * does): the server then builds no change for it when sessions open, join, leave and close. Absent or
   * `true`: every change is tracked.
   */
  readonly tracksPresence?: boolean;
  /** Sessions in `room` (or open sessions) across every node. Rejects with `BrokerError` on outage. */
  count(room?: string): Promise<number>;
  /** Entries of sessions in `room` (or open sessions) across every node. Rejects with `BrokerError` on outage. */
  list(room?: string): Promise<PresenceEntry[]>;
  /** Leaves the cluster: stops delivery and removes this node's presence. */
  unsubscribe(): Promise<void>;
  /**
   * Optional (brokers that keep messages, like the Redis broker's at-least-once mode): how far this node
   * has delivered, as an opaque position that {@link replay} understands.
   */
  position?(): string | undefined;
  /**
   * Optional, with {@link position}: the messages published after `from` (this node's own included),
   * and whether the broker still held all of them.
   */
  replay?(from: string): Promise<{ readonly messages: readonly BrokerMessage[]; readonly complete: boolean }>;
}

/**
 * Carries messages and presence between nodes. Pass one to `bootstrap({ broker })`; several servers
 * sharing one broker (or one Redis) behave as one: broadcasts, `sendToUser` and presence span them all.
 *
 * @example
 * ```ts
 * // Two servers in one process sharing an in-memory broker:
 * const broker = new MemoryBroker();
 * const a = await bootstrap({ port: 8081, broker });
 * const b = await bootstrap({ port: 8082, broker });
 * ```
 */
export interface Broker {
  /** Connects a node; resolves once messages published by other nodes will reach it. */
  subscribe(node: BrokerNode): Promise<BrokerSubscription>;
}

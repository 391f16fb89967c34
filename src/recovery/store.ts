import type { RecoveryRefusal } from "../contract/recovery-wire.js";

/** One data message of a session, as it went out (or would have) on the wire. */
export interface StoredMessage {
  /** Its position in the session: the count of data messages sent before it. */
  readonly offset: number;
  readonly binary: boolean;
  /** Text is kept as the string that was sent (no copy); binary as bytes. */
  readonly data: Buffer | string;
  /**
   * The broker message it delivered (a broadcast or `sendToUser`, `origin:sequence`), if any: two nodes
   * that both took it for a session moving between them keep it once.
   */
  readonly id?: string | undefined;
}

/** Per-session bounds, from the endpoint's `recovery` options. */
export interface SessionBounds {
  /** Recovery window in ms. */
  readonly window: number;
  readonly maxMessages: number;
  readonly maxBytes: number;
}

/** What a session leaves for whichever node recovers it. */
export interface SessionState {
  readonly rooms: readonly string[];
  /** The serialisable user properties, v8-serialized as `[key, value][]`. */
  readonly properties: Buffer;
}

/** A session as the store first learns of it. */
export interface SessionEntry {
  readonly sessionId: string;
  readonly tokenHash: string;
  readonly principalKey: string;
  /** The endpoint's path template: a token opens only the endpoint that issued it. */
  readonly endpoint: string;
  readonly bounds: SessionBounds;
  readonly nodeId: string;
  /** The origin of the ids of the node's own broker messages (`origin:sequence`), if it stamps them. */
  readonly origin?: string | undefined;
}

/** A recovery attempt. */
export interface ClaimRequest {
  readonly tokenHash: string;
  readonly principalKey: string;
  readonly endpoint: string;
  /** The client's offset: the next message it expects. */
  readonly offset: number;
  /** The node taking the session over. */
  readonly nodeId: string;
}

/** The outcome of a claim: the session and what it missed, or why not. */
export type ClaimResult =
  | {
      readonly ok: true;
      readonly sessionId: string;
      readonly state: SessionState;
      readonly missed: readonly StoredMessage[];
      readonly nextOffset: number;
      /** Ids of every message the store holds for the session, the client's included (default: those of `missed`). */
      readonly ids?: ReadonlySet<string> | undefined;
      /** The broker position the previous holder had delivered up to (at-least-once brokers), if known. */
      readonly position?: string | undefined;
      /** Messages the client holds beyond what the store has (the holder died between writing to the socket and to the store). */
      readonly ahead?: number | undefined;
      /** The previous holder's `SessionEntry.origin`. */
      readonly origin?: string | undefined;
    }
  | { readonly ok: false; readonly reason: RecoveryRefusal };

/** Figures of a store, for `metrics()` and Prometheus. */
export interface RecoveryStoreStats {
  /** Sessions the store keeps (open and parked). */
  readonly sessions: number;
  /** Parked sessions: dropped, waiting for their client. */
  readonly parked: number;
  /** Messages and bytes held for replay (memory store; the Redis store counts what this node appended). */
  readonly messages: number;
  readonly bytes: number;
  /** The store's bounds (0: not bounded by the store itself, only per session). */
  readonly maxBytes: number;
  readonly maxSessions: number;
  /** Messages trimmed by the bounds before anyone asked for them, and sessions evicted to stay in bounds. */
  readonly trimmed: number;
  readonly evicted: number;
  /** Writes that failed (Redis unreachable). */
  readonly failures: number;
}

/** What a store tells the server that uses it. */
export interface RecoveryStoreListener {
  /** This node no longer owns the session (another node recovered it): let go of its parked session or stale connection. */
  disowned(sessionId: string): void;
}

/**
 * Where recoverable sessions keep their messages and state: `MemoryRecoveryStore` on one node,
 * `RedisRecoveryStore` (ws-endpoints/redis) across nodes. Writes are fire-and-forget and keep their
 * order per session; `claim` is the one atomic step: it checks the token, hands the session to the
 * claiming node (the old holder's further writes are refused) and returns what the client missed.
 */
export interface RecoveryStore {
  /** A recoverable session opened (new, or recovered under a new token). */
  open(entry: SessionEntry): void;
  /**
   * A data message went to the session (or was captured for it while parked). `position`: with an
   * at-least-once broker, how far this node had delivered the broker's messages (an opaque position),
   * for a node that recovers the session after this one died.
   */
  append(sessionId: string, nodeId: string, message: StoredMessage, bounds: SessionBounds, position?: string): void;
  /** The session's rooms or user properties changed. */
  save(sessionId: string, nodeId: string, state: SessionState, bounds: SessionBounds, position?: string): void;
  /** The session dropped and waits for its client until `window` passes. */
  park(sessionId: string, nodeId: string, state: SessionState, bounds: SessionBounds, position?: string): void;
  /** A recovery: atomic. */
  claim(request: ClaimRequest): ClaimResult | Promise<ClaimResult>;
  /** The session ended for good (a normal close, or its window passed): forget it. */
  forget(sessionId: string, nodeId: string): void;
  stats(): RecoveryStoreStats;
  /**
   * Optional, for stores that answer asynchronously: the session a token names and its state, read
   * before the claim, so the claiming node can start taking the session's messages before it owns it.
   */
  peek?(tokenHash: string): Promise<{
    readonly sessionId: string;
    readonly state: SessionState;
    /** The node holding it; `""` after a hand-over, `"-"` after its node shut down. */
    readonly owner?: string | undefined;
    /** Checked before the holder is asked to let go: a token presented by another principal moves nothing. */
    readonly principalKey?: string | undefined;
    readonly endpoint?: string | undefined;
  } | null>;
  /**
   * Optional, with `peek`: the node lets go of a session it holds (another node takes it over, or this
   * node shuts down: `gone`). Resolves once every write this node made for it before is in the store.
   */
  release?(sessionId: string, nodeId: string, gone?: boolean): Promise<void>;
  /** Optional: the store reports ownership it lost. */
  bind?(listener: RecoveryStoreListener): void;
  /** Called by the server that uses the store when it closes. */
  close(): Promise<void>;
}

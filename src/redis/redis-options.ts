import type { ClusterNode, ClusterOptions, RedisOptions } from "ioredis";
import { InvalidOptionsError, type BrokerError } from "../errors.js";
import { defaultLogger, type Logger } from "../metrics/logger.js";
import { checkDuration } from "../util/check-options.js";
import { checkStreamOptions, resolveStreamOptions, type RedisDelivery, type ResolvedStreamOptions, type StreamOptions } from "./stream-options.js";

/** Options of `RedisBroker`. */
export interface RedisBrokerOptions {
  /**
   * A Redis URL (`redis://user:pass@host:6379/0`, `rediss://` for TLS) or ioredis options, which also
   * cover Sentinel: `{ sentinels: [{ host, port }], name: "mymaster" }`. Default `redis://127.0.0.1:6379`.
   * Through Sentinel, a `READONLY` reply (a master demoted under the connection) makes the broker reconnect and
   * ask the sentinels again, unless these options set `reconnectOnError`.
   */
  redis?: string | RedisOptions | undefined;
  /** Redis Cluster instead of `redis`: startup nodes and ioredis cluster options. */
  cluster?: { readonly nodes: readonly ClusterNode[]; readonly options?: ClusterOptions } | undefined;
  /** Namespace of every key and of the channel (default `wse`); applications sharing a Redis use different ones. */
  keyPrefix?: string | undefined;
  /** How often a node renews its heartbeat, in ms (default 5000). */
  heartbeatInterval?: number | undefined;
  /** How long after its last heartbeat a node's sessions leave presence, in ms (default 15000; > heartbeatInterval). */
  nodeTimeout?: number | undefined;
  /** How long `subscribe` (that is, `bootstrap`) waits for Redis at start-up, in ms (default 10000). */
  connectTimeout?: number | undefined;
  /** Where connection problems are logged (default: warnings to stderr). */
  logger?: Logger | undefined;
  /** Called with every failure to publish or to reach Redis (for alerts and metrics). Must not throw. */
  onError?: ((error: BrokerError) => void) | undefined;
  /**
   * `"pub-sub"` (default) or `"at-least-once"`: broadcasts go through a Redis stream, so a node that loses
   * Redis for a while reads what it missed when it comes back (see docs/scaling.md, "At-least-once between nodes").
   */
  delivery?: RedisDelivery | undefined;
  /** Bounds of the `"at-least-once"` mode: stream length and age, dedupe memory, replicas to wait for. */
  stream?: StreamOptions | undefined;
}

/** Counters of a `RedisBroker`, for metrics. */
export interface RedisBrokerStats {
  /** Messages published to other nodes. */
  readonly published: number;
  /** Publishes that failed (Redis unreachable or refusing). */
  readonly publishFailures: number;
  /** Messages received from other nodes. */
  readonly received: number;
  /** Channel messages that were not well-formed envelopes (ignored). */
  readonly malformed: number;
  /** Times a node's presence was rewritten after Redis came back or lost it. */
  readonly rebuilds: number;
  /** The delivery mode. */
  readonly delivery: RedisDelivery;
  /** The `"at-least-once"` mode's bounds and counters; `undefined` in the `"pub-sub"` mode. */
  readonly stream: RedisStreamStats | undefined;
}

/** The `"at-least-once"` mode in figures: its bounds (the resolved `stream` options) and what happened. */
export interface RedisStreamStats {
  /** The bounds in force. */
  readonly limits: Readonly<Required<{ [K in keyof StreamOptions]: number }>>;
  /** Messages dropped because this node had already delivered them (same id). */
  readonly duplicates: number;
  /** Messages delivered after a later one of the same origin (a retried publish). */
  readonly reordered: number;
  /** Messages of another node this node never got (trimmed before it read them, or lost by Redis). */
  readonly missed: number;
  /** Messages dropped as older than what this node remembers of their origin. */
  readonly tooOld: number;
  /** Origins forgotten by the dedupe because `stream.dedupeBytes` was reached. */
  readonly evicted: number;
  /** Times this node read on from its own position after losing Redis. */
  readonly catchUps: number;
  /** Messages read by those catch-ups. */
  readonly caughtUp: number;
  /** Times Redis held less than this node had read (restarted without its data, or a fail-over). */
  readonly rewinds: number;
  /** Times this node came back after entries it had not read were trimmed (beyond `maxAge`/`maxLength`). */
  readonly tooLate: number;
  /** Origins (publishing node connections) the dedupe remembers. */
  readonly dedupeOrigins: number;
  /** The bytes they cost, at a fixed 192 each; at most `limits.dedupeBytes`. */
  readonly dedupeBytes: number;
}

export const DEFAULTS = Object.freeze({ redis: "redis://127.0.0.1:6379", keyPrefix: "wse", heartbeatInterval: 5000, nodeTimeout: 15000, connectTimeout: 10000 });

/** Options after defaults and validation. */
export type ResolvedRedisOptions = Readonly<Required<Omit<RedisBrokerOptions, "cluster" | "onError" | "stream">>> &
  Readonly<Pick<RedisBrokerOptions, "cluster" | "onError">> & { readonly stream: ResolvedStreamOptions };

/** Validates once and freezes. @throws InvalidOptionsError naming every bad option. */
export function resolveRedisOptions(options: string | RedisBrokerOptions): ResolvedRedisOptions {
  const o = typeof options === "string" ? { redis: options } : options;
  checkOptions(o);
  return Object.freeze({
    redis: o.redis ?? DEFAULTS.redis,
    cluster: o.cluster,
    keyPrefix: o.keyPrefix ?? DEFAULTS.keyPrefix,
    heartbeatInterval: o.heartbeatInterval ?? (o.nodeTimeout === undefined ? DEFAULTS.heartbeatInterval : Math.max(1, Math.min(DEFAULTS.heartbeatInterval, Math.floor(o.nodeTimeout / 3)))),
    nodeTimeout: o.nodeTimeout ?? Math.max(DEFAULTS.nodeTimeout, 3 * (o.heartbeatInterval ?? 0)),
    connectTimeout: o.connectTimeout ?? DEFAULTS.connectTimeout,
    logger: o.logger ?? defaultLogger,
    onError: o.onError,
    delivery: o.delivery ?? "pub-sub",
    stream: resolveStreamOptions(o.stream),
  });
}

function checkOptions(o: RedisBrokerOptions): void {
  const problems: string[] = [];
  if (o.redis !== undefined && o.cluster !== undefined) problems.push("pass either redis (single server or Sentinel) or cluster, not both");
  if (o.redis !== undefined && typeof o.redis !== "string" && (o.redis === null || typeof o.redis !== "object")) problems.push("redis must be a URL or ioredis options");
  if (typeof o.redis === "object" && o.redis !== null && o.redis.keyPrefix !== undefined) problems.push("redis.keyPrefix is not supported; use the keyPrefix option of RedisBroker");
  if (o.cluster !== undefined && (o.cluster === null || !Array.isArray(o.cluster.nodes) || o.cluster.nodes.length === 0)) problems.push("cluster.nodes must list at least one startup node");
  if (o.keyPrefix !== undefined && (typeof o.keyPrefix !== "string" || !/^[A-Za-z0-9._:-]{1,64}$/.test(o.keyPrefix))) {
    problems.push(`keyPrefix must be 1 to 64 letters, digits, ".", "_", ":" or "-"; got ${JSON.stringify(o.keyPrefix)}`);
  }
  for (const name of ["heartbeatInterval", "nodeTimeout", "connectTimeout"] as const) checkDuration(problems, name, o[name]);
  if (o.heartbeatInterval !== undefined && o.nodeTimeout !== undefined && o.nodeTimeout <= o.heartbeatInterval) {
    problems.push(`nodeTimeout (${o.nodeTimeout}) must be longer than heartbeatInterval (${o.heartbeatInterval}), or every node looks dead between beats`);
  }
  if (o.onError !== undefined && typeof o.onError !== "function") problems.push("onError must be a function");
  checkStreamOptions(problems, o.delivery, o.stream);
  if (problems.length > 0) throw new InvalidOptionsError(`Invalid RedisBroker options: ${problems.join("; ")}.`);
}

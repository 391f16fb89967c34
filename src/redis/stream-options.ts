import { checkDuration, checkInteger, checkKnownKeys, checkOneOf } from "../util/check-options.js";

/**
 * How a `RedisBroker` carries broadcasts between nodes:
 * - `"pub-sub"` (default): Redis pub/sub. Cheapest; whatever is published while a node is not subscribed
 *   (Redis restarting, the node reconnecting) is lost for that node.
 * - `"at-least-once"`: one Redis stream. A node that was away reads what it missed when it comes back,
 *   within the {@link StreamOptions} bounds; duplicates are dropped by message id, so each session still
 *   gets each message once.
 */
export type RedisDelivery = "pub-sub" | "at-least-once";

/** Bounds of the `"at-least-once"` delivery mode (every field has a safe default). */
export interface StreamOptions {
  /** Entries the stream keeps (trimmed approximately, `MAXLEN ~`); default 100,000. */
  readonly maxLength?: number | undefined;
  /**
   * How long, in ms, entries stay in the stream (`XTRIM MINID` every maxAge / 4, between 1 and 10 s),
   * which is how long a node may be away and still catch up; default 120,000 (2 min).
   */
  readonly maxAge?: number | undefined;
  /** Memory a node gives to remembering which message ids it delivered, in bytes; default 1 MiB. */
  readonly dedupeBytes?: number | undefined;
  /**
   * Replicas that must hold a message before `published` is true (Redis `WAIT`); default 0. With
   * Sentinel or Cluster, 1 keeps a fail-over from losing what was reported published.
   */
  readonly replicas?: number | undefined;
  /** How long a publish waits for those replicas, in ms; default 1000. */
  readonly replicaTimeout?: number | undefined;
  /** Entries read per round trip; default 512. A read holds up to this many messages at once: lower it for large messages. */
  readonly batch?: number | undefined;
}

/** {@link StreamOptions} after defaults. */
export type ResolvedStreamOptions = Readonly<Required<{ [K in keyof StreamOptions]: number }>>;

export const STREAM_DEFAULTS: ResolvedStreamOptions = Object.freeze({
  maxLength: 100_000,
  maxAge: 120_000,
  dedupeBytes: 1024 * 1024,
  replicas: 0,
  replicaTimeout: 1000,
  batch: 512,
});

const KNOWN: Record<keyof StreamOptions, true> = { maxLength: true, maxAge: true, dedupeBytes: true, replicas: true, replicaTimeout: true, batch: true };

/** Appends one sentence per bad field of `delivery` and `stream` to `problems`. */
export function checkStreamOptions(problems: string[], delivery: unknown, stream: unknown): void {
  checkOneOf(problems, "delivery", delivery, ["pub-sub", "at-least-once"]);
  if (stream === undefined) return;
  if (stream === null || typeof stream !== "object") {
    problems.push("stream must be an object like { maxLength, maxAge }");
    return;
  }
  if (delivery !== "at-least-once") problems.push('stream applies only to delivery: "at-least-once"; set delivery or remove stream');
  const s = stream as StreamOptions;
  checkKnownKeys(problems, "stream", s, KNOWN);
  checkInteger(problems, "stream.maxLength", s.maxLength, { min: 100 });
  checkDuration(problems, "stream.maxAge", s.maxAge);
  checkInteger(problems, "stream.dedupeBytes", s.dedupeBytes, { min: 16 * 1024, unit: "bytes" });
  checkInteger(problems, "stream.replicas", s.replicas, { min: 0, max: 16 });
  checkDuration(problems, "stream.replicaTimeout", s.replicaTimeout);
  checkInteger(problems, "stream.batch", s.batch, { min: 1, max: 10_000 });
}

export function resolveStreamOptions(stream: StreamOptions | undefined): ResolvedStreamOptions {
  const s = stream ?? {};
  return Object.freeze({
    maxLength: s.maxLength ?? STREAM_DEFAULTS.maxLength,
    maxAge: s.maxAge ?? STREAM_DEFAULTS.maxAge,
    dedupeBytes: s.dedupeBytes ?? STREAM_DEFAULTS.dedupeBytes,
    replicas: s.replicas ?? STREAM_DEFAULTS.replicas,
    replicaTimeout: s.replicaTimeout ?? STREAM_DEFAULTS.replicaTimeout,
    batch: s.batch ?? STREAM_DEFAULTS.batch,
  });
}

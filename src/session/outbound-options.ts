/** Options of a session's outbound queue, and their check (no run-time dependency on the queue). */
import { checkInteger, checkKnownKeys, checkOneOf } from "../util/check-options.js";

/**
 * What a full outbound queue does with one more message: `"await"` accepts Basic sends and replies by
 * return value within one more bound (`maxMessages` messages, `maxBytes` bytes; their promise waits,
 * bounded by `sendTimeout`), refuses them past it, and refuses Async sends; the session handles no further
 * message while its queue is full; `"drop-newest"` refuses the new message;
 * `"drop-oldest"` discards the oldest queued whole messages to make room; `"close"` discards the queue
 * and closes the session with 1008. Refused and discarded sends fail with `QueueOverflowError`.
 */
export type OverflowPolicy = "await" | "drop-oldest" | "drop-newest" | "close";

/** Bounds of a session's outbound queue (messages accepted but not yet handed to the socket). */
export interface OutboundOptions {
  /** Most messages queued per session (default 1024). */
  maxMessages?: number | undefined;
  /** Most bytes queued per session (default 1 MiB; text counted in UTF-16 code units). */
  maxBytes?: number | undefined;
  /**
   * Socket bytes left unsent by earlier event-loop turns above which the queue holds messages until the
   * socket drains (default 64 KiB). Bytes written in the current turn do not count.
   */
  highWaterMark?: number | undefined;
  /** What happens when the queue is full (default `"await"`). */
  policy?: OverflowPolicy | undefined;
}

/** @hidden Validated bounds of one session's queue. */
export interface OutboundLimits {
  readonly maxMessages: number;
  readonly maxBytes: number;
  readonly highWaterMark: number;
  readonly policy: OverflowPolicy;
  /** 0: Basic sends wait as long as it takes. */
  readonly sendTimeout: number;
}

/** @hidden What the `"close"` policy closes: the session that owns the queue. */
export interface OverflowCloser {
  closeForOverflow(code: number, reason: string): void;
}

const POLICIES: readonly OverflowPolicy[] = ["await", "drop-oldest", "drop-newest", "close"];
const KNOWN: Readonly<Record<keyof OutboundOptions, true>> = { maxMessages: true, maxBytes: true, highWaterMark: true, policy: true };

/** Problems with an `outbound` option, one sentence each. */
export function checkOutbound(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (typeof value !== "object" || value === null) return [`${where} must be an object { maxMessages?, maxBytes?, highWaterMark?, policy? }`];
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  checkKnownKeys(problems, where, v, KNOWN);
  // The checkers skip undefined: absent, as `{ maxBytes: process.env.X }` may leave it.
  checkOneOf(problems, `${where}.policy`, v.policy, POLICIES);
  checkInteger(problems, `${where}.maxMessages`, v.maxMessages);
  checkInteger(problems, `${where}.maxBytes`, v.maxBytes, { unit: "bytes" });
  checkInteger(problems, `${where}.highWaterMark`, v.highWaterMark, { unit: "bytes" });
  return problems;
}

/** @hidden The limits of a queue nobody configured (client and harness sessions before `configure`). */
export const UNBOUNDED: OutboundLimits = Object.freeze({
  maxMessages: Infinity,
  maxBytes: Infinity,
  highWaterMark: Infinity,
  policy: "await",
  sendTimeout: 0,
});

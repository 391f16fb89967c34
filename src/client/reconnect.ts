/**
 * Reconnect policy of client sessions: options, their defaults and validation, the backoff schedule and
 * the decision whether a disconnect is followed by a reconnect. Everything here is pure, so the schedule
 * and the decisions are tested without clocks or sockets.
 */
import { InvalidOptionsError } from "../errors.js";
import type { CloseReason } from "../close-reason.js";
import { checkBoolean, checkInteger, checkKnownKeys, checkOneOf } from "../util/check-options.js";
import { backoffDelay, type BackoffOptions } from "../browser/backoff.js";

// The schedule itself is pure math shared with the browser client (which may not import Node code).
export type { BackoffPolicy } from "../browser/backoff.js";

/** What happens to a message sent while disconnected once the reconnect buffer is full. */
export const BufferPolicies = {
  /** Refuse the new message: its send rejects / reports `QueueOverflowError`. */
  DROP_NEWEST: "drop-newest",
  /** Drop the oldest buffered message (its send reports `QueueOverflowError`) and buffer the new one. */
  DROP_OLDEST: "drop-oldest",
  /** Give up: end the session for good; every buffered send reports `QueueOverflowError`. */
  CLOSE: "close",
} as const;
/** One of {@link BufferPolicies}. */
export type BufferPolicy = (typeof BufferPolicies)[keyof typeof BufferPolicies];

/** Whether the session is connected to the same endpoint instance after a reconnect or to a new one. */
export type ReconnectInstance = "same" | "fresh";

/** Passed to `onReconnect` before each reconnect attempt. */
export interface ReconnectEvent {
  /** 1 for the first attempt after a disconnect; counts consecutive failures after that. */
  readonly attempt: number;
  /** Milliseconds until this attempt starts. */
  readonly delay: number;
  /** How the last connection ended. */
  readonly reason: CloseReason;
  /** Why the previous attempt failed (`ConnectError`, `HandshakeRefusedError`), if one did. */
  readonly error: Error | undefined;
}

/** Options of automatic reconnection (`connectToServer(..., { reconnect })`). Every field is optional. */
export interface ReconnectOptions extends BackoffOptions {
  /** Reconnect after a normal close (1000) by either side too (default false). */
  onNormalClose?: boolean | undefined;
  /** Keep trying after the server refuses the upgrade with a 4xx status (default false; 5xx always retries). */
  onRefusal?: boolean | undefined;
  /** `"same"` (default): the reconnected session runs on the same endpoint instance; `"fresh"`: a new one per connection. */
  instance?: ReconnectInstance | undefined;
  /** Messages sent while disconnected that are kept for the next connection (default 1024). */
  bufferLimit?: number | undefined;
  /** What a send does when the buffer is full (default `"drop-newest"`). */
  bufferPolicy?: BufferPolicy | undefined;
  /** Called before each attempt; return `false` to stop reconnecting (the session then ends). */
  onReconnect?: ((event: ReconnectEvent) => boolean | void) | undefined;
}

/** Reconnect options after defaults and validation. */
export interface ReconnectPolicy {
  readonly initialDelay: number;
  readonly maxDelay: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly maxAttempts: number;
  readonly onNormalClose: boolean;
  readonly onRefusal: boolean;
  readonly instance: ReconnectInstance;
  readonly bufferLimit: number;
  readonly bufferPolicy: BufferPolicy;
  readonly onReconnect: ((event: ReconnectEvent) => boolean | void) | undefined;
}

/** The defaults of {@link ReconnectOptions}. */
export const RECONNECT_DEFAULTS = Object.freeze({
  initialDelay: 250,
  maxDelay: 30_000,
  multiplier: 2,
  jitter: 0.5,
  maxAttempts: Number.POSITIVE_INFINITY,
  onNormalClose: false,
  onRefusal: false,
  instance: "same",
  bufferLimit: 1024,
  bufferPolicy: BufferPolicies.DROP_NEWEST,
  onReconnect: undefined,
} satisfies ReconnectPolicy);

// Keys of the defaults, which `satisfies ReconnectPolicy` keeps complete.
const KNOWN: Readonly<Record<string, true>> = Object.fromEntries(Object.keys(RECONNECT_DEFAULTS).map((k) => [k, true]));
const POLICIES: readonly string[] = Object.values(BufferPolicies);

/** Validates reconnect options, appending one sentence per problem to `problems`; returns the frozen policy. */
export function resolveReconnect(options: ReconnectOptions, problems: string[]): ReconnectPolicy {
  if (options === null || typeof options !== "object") {
    problems.push("reconnect must be true, false or an options object");
    return RECONNECT_DEFAULTS;
  }
  checkKnownKeys(problems, "reconnect", options, KNOWN);
  const p = { ...RECONNECT_DEFAULTS, ...definedOnly(options) } as ReconnectPolicy;
  const nonNegative = (name: keyof ReconnectPolicy, v: number): void => {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) problems.push(`reconnect.${name} must be a non-negative number of ms; got ${JSON.stringify(v)}`);
  };
  nonNegative("initialDelay", p.initialDelay);
  nonNegative("maxDelay", p.maxDelay);
  if (typeof p.multiplier !== "number" || !(p.multiplier >= 1) || !Number.isFinite(p.multiplier)) problems.push(`reconnect.multiplier must be a number >= 1; got ${JSON.stringify(p.multiplier)}`);
  if (typeof p.jitter !== "number" || !(p.jitter >= 0 && p.jitter <= 1)) problems.push(`reconnect.jitter must be from 0 to 1; got ${JSON.stringify(p.jitter)}`);
  if (p.maxAttempts !== Number.POSITIVE_INFINITY && (!Number.isInteger(p.maxAttempts) || p.maxAttempts < 1)) {
    problems.push(`reconnect.maxAttempts must be a positive integer (or Infinity); got ${JSON.stringify(p.maxAttempts)}`);
  }
  checkInteger(problems, "reconnect.bufferLimit", p.bufferLimit, { min: 0 });
  checkOneOf(problems, "reconnect.bufferPolicy", p.bufferPolicy, POLICIES);
  checkOneOf(problems, "reconnect.instance", p.instance, ["same", "fresh"]);
  checkBoolean(problems, "reconnect.onNormalClose", p.onNormalClose);
  checkBoolean(problems, "reconnect.onRefusal", p.onRefusal);
  if (p.onReconnect !== undefined && typeof p.onReconnect !== "function") problems.push("reconnect.onReconnect must be a function");
  if (typeof p.initialDelay === "number" && typeof p.maxDelay === "number" && p.initialDelay > p.maxDelay) {
    problems.push(`reconnect.initialDelay (${p.initialDelay}) must not exceed reconnect.maxDelay (${p.maxDelay})`);
  }
  return Object.freeze(p);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The delays of the first `attempts` reconnect attempts under `options`: what a client would wait,
 * computed without waiting. Pass `random` to make it deterministic.
 *
 * @example
 * ```ts
 * backoffSchedule({ initialDelay: 100, maxDelay: 1000, jitter: 0 }, 5); // [100, 200, 400, 800, 1000]
 * ```
 * @throws InvalidOptionsError for invalid options.
 */
export function backoffSchedule(options: ReconnectOptions, attempts: number, random: () => number = Math.random): number[] {
  const problems: string[] = [];
  const policy = resolveReconnect(options, problems);
  if (problems.length > 0) throw new InvalidOptionsError(`Invalid reconnect options: ${problems.join("; ")}.`);
  if (!Number.isInteger(attempts) || attempts < 0) throw new RangeError(`backoffSchedule: attempts must be a non-negative integer; got ${String(attempts)}.`);
  return Array.from({ length: attempts }, (_, i) => backoffDelay(i + 1, policy, random()));
}

/** How a connection ended, or why an attempt failed. */
export type DisconnectCause =
  | { readonly kind: "closed"; readonly code: number }
  | { readonly kind: "refused"; readonly status: number }
  | { readonly kind: "failed" };

/**
 * Whether a disconnect of a session that is still wanted (the application did not close it) is followed
 * by another attempt: not after a normal close (1000) or a 4xx refusal unless the policy says so.
 */
export function shouldReconnect(cause: DisconnectCause, policy: Pick<ReconnectPolicy, "onNormalClose" | "onRefusal">): boolean {
  switch (cause.kind) {
    case "closed":
      return cause.code !== 1000 || policy.onNormalClose;
    case "refused":
      return cause.status < 400 || cause.status >= 500 || policy.onRefusal;
    case "failed":
      return true;
  }
}

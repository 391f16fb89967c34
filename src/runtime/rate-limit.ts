import { RateLimitedError } from "../errors.js";
import type { WsSession } from "../session/ws-session.js";
import { OUT } from "../session/outbound-entry.js";
import { checkInteger, checkKnownKeys, checkOneOf, checkPositiveNumber } from "../util/check-options.js";

/** Per-session inbound message rate limit (token bucket). */
export interface RateLimitOptions {
  /** Sustained rate: tokens added per second. */
  messagesPerSecond: number;
  /** Bucket size: messages accepted in a burst (default: `messagesPerSecond`). */
  burst?: number | undefined;
  /**
   * What happens to a message over the limit: `"close"` (default) closes the session with 1008
   * VIOLATED_POLICY; `"drop"` discards it and tells the peer once per episode with a JSON text message
   * `{"error":"WSE_ERR_RATE_LIMITED","message":…}`. An episode ends once no message has been refused
   * for twice the time the bucket takes to refill (`burst / messagesPerSecond` seconds), and at least a
   * second: a sustained flood gets one notice, however many messages the refill admits meanwhile.
   */
  policy?: "close" | "drop" | undefined;
}

/** @hidden Validated rate limit. */
export interface ResolvedRateLimit {
  readonly perMs: number;
  readonly burst: number;
  readonly policy: "close" | "drop";
  /** Time without a refusal after which the next one starts a new episode (two full refills, at least 1 s), in ms. */
  readonly quietMs: number;
}

const KNOWN: Readonly<Record<keyof RateLimitOptions, true>> = { messagesPerSecond: true, burst: true, policy: true };

/** Problems with a `rateLimit` option, one sentence each; `false` disables. */
export function checkRateLimit(value: unknown, where: string): string[] {
  if (value === undefined || value === false) return [];
  if (typeof value !== "object" || value === null) return [`${where} must be false or { messagesPerSecond, burst?, policy? }`];
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  checkKnownKeys(problems, where, v, KNOWN);
  if (v.messagesPerSecond === undefined) problems.push(`${where}.messagesPerSecond is required, e.g. { messagesPerSecond: 20 }`);
  checkPositiveNumber(problems, `${where}.messagesPerSecond`, v.messagesPerSecond);
  checkInteger(problems, `${where}.burst`, v.burst);
  checkOneOf(problems, `${where}.policy`, v.policy, ["close", "drop"]);
  return problems;
}

/** @hidden A checked `rateLimit` option, or null when disabled. */
export function resolveRateLimit(value: RateLimitOptions | false | undefined): ResolvedRateLimit | null {
  if (value === undefined || value === false) return null;
  const perMs = value.messagesPerSecond / 1000;
  const burst = value.burst ?? Math.max(1, Math.ceil(value.messagesPerSecond));
  return Object.freeze({ perMs, burst, policy: value.policy ?? "close", quietMs: Math.max(1000, (2 * burst) / perMs) });
}

/** @hidden Verdicts of {@link TokenBucket.admit}. */
export const RATE = { ADMIT: 0, DROP: 1, CLOSE: 2 } as const;

const LIMITED = new RateLimitedError();
const DROPPED_REPLY = JSON.stringify({ error: LIMITED.code, message: LIMITED.message });

/**
 * @hidden One bucket per session. Refilled continuously from the monotonic clock on every message
 * (only sessions of rate-limited endpoints pay for the clock read).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** When a message was last refused; an episode ends after `quietMs` without one. */
  private lastRefused = -Infinity;

  constructor(private readonly limit: ResolvedRateLimit) {
    this.tokens = limit.burst;
    this.last = performance.now();
  }

  /**
   * Whether this message may be handled. `DROP`: discard it (the "drop" policy has told the peer once
   * per episode). `CLOSE`: the "close" policy fired; returned once, then `DROP`. A message admitted by the
   * refill does not end the episode: under a sustained flood every token admits one message, and ending
   * the episode there sent one notice per admitted message.
   */
  admit(session: WsSession): number {
    const now = performance.now();
    const l = this.limit;
    const t = Math.min(l.burst, this.tokens + (now - this.last) * l.perMs);
    this.last = now;
    if (t >= 1) {
      this.tokens = t - 1;
      return RATE.ADMIT;
    }
    this.tokens = t;
    const last = this.lastRefused;
    this.lastRefused = now;
    if (l.policy === "close") return last === -Infinity ? RATE.CLOSE : RATE.DROP;
    if (now - last < l.quietMs) return RATE.DROP;
    session.submit(OUT.TEXT, DROPPED_REPLY, true, undefined, undefined);
    return RATE.DROP;
  }
}

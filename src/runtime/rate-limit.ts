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
  /**
   * Whose budget a message spends: `"session"` (default) gives each session its own bucket;
   * `"address"` shares one bucket among the open sessions of one client address on the endpoint (the
   * real address behind `trustProxy`), so opening more connections buys no more messages.
   */
  per?: "session" | "address" | undefined;
}

/** @hidden Validated rate limit. */
export interface ResolvedRateLimit {
  readonly perMs: number;
  readonly burst: number;
  readonly policy: "close" | "drop";
  /** Time without a refusal after which the next one starts a new episode (two full refills, at least 1 s), in ms. */
  readonly quietMs: number;
  readonly perAddress: boolean;
}

const KNOWN: Readonly<Record<keyof RateLimitOptions, true>> = { messagesPerSecond: true, burst: true, policy: true, per: true };

/** Problems with a `rateLimit` option, one sentence each; `false` disables. */
export function checkRateLimit(value: unknown, where: string): string[] {
  if (value === undefined || value === false) return [];
  if (typeof value !== "object" || value === null) return [`${where} must be false or { messagesPerSecond, burst?, policy?, per? }`];
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  checkKnownKeys(problems, where, v, KNOWN);
  if (v.messagesPerSecond === undefined) problems.push(`${where}.messagesPerSecond is required, e.g. { messagesPerSecond: 20 }`);
  checkPositiveNumber(problems, `${where}.messagesPerSecond`, v.messagesPerSecond);
  checkInteger(problems, `${where}.burst`, v.burst);
  checkOneOf(problems, `${where}.policy`, v.policy, ["close", "drop"]);
  checkOneOf(problems, `${where}.per`, v.per, ["session", "address"]);
  return problems;
}

/** @hidden A checked `rateLimit` option, or null when disabled. */
export function resolveRateLimit(value: RateLimitOptions | false | undefined): ResolvedRateLimit | null {
  if (value === undefined || value === false) return null;
  const perMs = value.messagesPerSecond / 1000;
  const burst = value.burst ?? Math.max(1, Math.ceil(value.messagesPerSecond));
  return Object.freeze({ perMs, burst, policy: value.policy ?? "close", quietMs: Math.max(1000, (2 * burst) / perMs), perAddress: value.per === "address" });
}

/** @hidden Verdicts of {@link TokenBucket.admit}. */
export const RATE = { ADMIT: 0, DROP: 1, CLOSE: 2 } as const;

const LIMITED = new RateLimitedError();
const DROPPED_REPLY = JSON.stringify({ error: LIMITED.code, message: LIMITED.message });

/** @hidden The tokens of a bucket: a session's own, or shared by the sessions of one address. */
export interface BucketLevel {
  tokens: number;
  last: number;
}

/**
 * @hidden A session's view of its bucket. Refilled continuously from the monotonic clock on every
 * message (only sessions of rate-limited endpoints pay for the clock read). The tokens may be shared
 * (`per: "address"`); the episode of refusals is the session's, so each session is told (or closed) once.
 */
export class TokenBucket {
  /** When a message was last refused; an episode ends after `quietMs` without one. */
  private lastRefused = -Infinity;
  private released = false;

  constructor(
    private readonly limit: ResolvedRateLimit,
    /** The tokens: the session's own unless shared by {@link AddressBuckets}. */
    readonly level: BucketLevel = { tokens: limit.burst, last: performance.now() },
  ) {}

  /** The session ended: a shared bucket forgets its address with the address's last session. Once per bucket. */
  release(): void {
    const l = this.level as Partial<SharedLevel>;
    if (l.owner === undefined || this.released) return;
    this.released = true;
    if (--l.sessions! === 0) l.owner.delete(l.address!);
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
    const b = this.level;
    const t = Math.min(l.burst, b.tokens + (now - b.last) * l.perMs);
    b.last = now;
    if (t >= 1) {
      b.tokens = t - 1;
      return RATE.ADMIT;
    }
    b.tokens = t;
    const last = this.lastRefused;
    this.lastRefused = now;
    if (l.policy === "close") return last === -Infinity ? RATE.CLOSE : RATE.DROP;
    if (now - last < l.quietMs) return RATE.DROP;
    session.submit(OUT.TEXT, DROPPED_REPLY, true, undefined, undefined);
    return RATE.DROP;
  }
}

interface SharedLevel extends BucketLevel {
  sessions: number;
  readonly address: string;
  readonly owner: Map<string, SharedLevel>;
}

/**
 * @hidden The shared buckets of one endpoint with `per: "address"`: one per client address with open
 * sessions, dropped with its last session ({@link TokenBucket.release}), so the map is bounded by the
 * connection caps.
 */
export class AddressBuckets {
  private readonly levels = new Map<string, SharedLevel>();

  constructor(private readonly limit: ResolvedRateLimit) {}

  /** A bucket for a new session of `address`, sharing the address's tokens. */
  acquire(address: string): TokenBucket {
    let level = this.levels.get(address);
    if (level === undefined) this.levels.set(address, (level = { tokens: this.limit.burst, last: performance.now(), sessions: 0, address, owner: this.levels }));
    level.sessions++;
    return new TokenBucket(this.limit, level);
  }

  /** Addresses with a bucket now. */
  get size(): number {
    return this.levels.size;
  }
}

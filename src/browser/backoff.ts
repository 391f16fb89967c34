/**
 * The reconnect schedule shared by the Node client (`client/reconnect.ts`) and the browser client: pure
 * math with no imports, so the browser bundle can carry it and both clients wait the same delays.
 */

/**
 * The schedule options of both clients' `reconnect` (the Node client's `ReconnectOptions` and the browser
 * client's `BrowserReconnectOptions` extend it): one definition, so the two cannot drift apart.
 */
export interface BackoffOptions {
  /** Delay before the first attempt, in ms (default 250). */
  initialDelay?: number | undefined;
  /** Largest delay between attempts, in ms (default 30 000). */
  maxDelay?: number | undefined;
  /** Factor applied to the delay after each failed attempt (default 2). */
  multiplier?: number | undefined;
  /** Fraction of each delay that is random, 0 (none) to 1 (full jitter); default 0.5, so delays spread over [d/2, d]. */
  jitter?: number | undefined;
  /** Consecutive failed attempts before giving up (default: never give up). */
  maxAttempts?: number | undefined;
}

/** The part of a reconnect policy that shapes the schedule. */
export interface BackoffPolicy {
  readonly initialDelay: number;
  readonly maxDelay: number;
  readonly multiplier: number;
  readonly jitter: number;
}

/**
 * Delay before reconnect attempt `attempt` (1-based): `initialDelay · multiplier^(attempt-1)` capped at
 * `maxDelay`, of which the fraction `jitter` is scaled by `random` (0 ≤ random < 1). The result lies in
 * `[ceiling · (1 - jitter), ceiling]`; spreading attempts keeps a fleet of clients from reconnecting in step.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: number): number {
  const ceiling = Math.min(policy.maxDelay, policy.initialDelay * policy.multiplier ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (1 - policy.jitter * random));
}

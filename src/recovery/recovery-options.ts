import { checkInteger, checkKnownKeys } from "../util/check-options.js";
import { parseDuration } from "./duration.js";

/** What an endpoint's `recovery.accept` sees of a session that asks to be recovered. */
export interface RecoveryCandidate {
  /** The id the session had, and will keep. */
  readonly sessionId: string;
  /** The principal this handshake authenticated (the token is bound to the same one). */
  readonly principal: unknown;
  /** The rooms it was in. */
  readonly rooms: readonly string[];
  /** Its user properties, as recovered. */
  readonly userProperties: ReadonlyMap<string, unknown>;
  /** How many messages it missed and will be sent before anything new. */
  readonly missed: number;
}

/**
 * Session recovery of one endpoint (`@ServerEndpoint({ recovery: { window: "2m" } })`). A session that
 * drops abnormally (1006, or 1001 from a node shutting down) and whose client comes back within
 * `window`, to any node sharing the recovery store, gets its session back with what it missed.
 */
export interface RecoveryOptions {
  /** How long a dropped session can be recovered: ms, or "30s", "2m", "1h". */
  window: number | string;
  /** Messages kept per session for replay (default 1000); older ones are trimmed. */
  maxMessages?: number | undefined;
  /** Bytes of messages kept per session for replay (default 1 MiB); older ones are trimmed. */
  maxBytes?: number | undefined;
  /** Decides whether a session may be recovered; `false` gives the client a new session (reason "refused-by-endpoint"). */
  accept?: ((candidate: RecoveryCandidate) => boolean) | undefined;
}

/** Recovery options after defaults and validation. */
export interface ResolvedRecovery {
  readonly window: number;
  readonly maxMessages: number;
  readonly maxBytes: number;
  readonly accept: ((candidate: RecoveryCandidate) => boolean) | undefined;
}

/** Defaults of {@link RecoveryOptions}. */
export const RECOVERY_DEFAULTS = Object.freeze({ maxMessages: 1000, maxBytes: 1024 * 1024 });
/** Longest window: a day (a parked session holds memory or Redis keys for that long). */
const MAX_WINDOW = 24 * 3_600_000;

const KNOWN: Readonly<Record<keyof RecoveryOptions, true>> = { window: true, maxMessages: true, maxBytes: true, accept: true };

/** Validates `recovery` of one endpoint; problems are appended, `null` when off or invalid. */
export function resolveRecovery(value: unknown, problems: string[]): ResolvedRecovery | null {
  if (value === undefined || value === false) return null;
  if (value === null || typeof value !== "object") {
    problems.push(`recovery must be an object like { window: "2m" }; got ${value === null ? "null" : typeof value}`);
    return null;
  }
  const o = value as RecoveryOptions;
  const before = problems.length;
  checkKnownKeys(problems, "recovery", o, KNOWN);
  const window = o.window === undefined ? 'recovery.window is required, e.g. { window: "2m" }' : parseDuration("recovery.window", o.window);
  if (typeof window === "string") problems.push(window);
  else if (window > MAX_WINDOW) problems.push(`recovery.window must be at most 24h; got ${JSON.stringify(o.window)}`);
  checkInteger(problems, "recovery.maxMessages", o.maxMessages);
  checkInteger(problems, "recovery.maxBytes", o.maxBytes, { unit: "bytes" });
  if (o.accept !== undefined && typeof o.accept !== "function") problems.push(`recovery.accept must be a function; got ${typeof o.accept}`);
  if (problems.length > before || typeof window === "string") return null;
  return Object.freeze({
    window,
    maxMessages: o.maxMessages ?? RECOVERY_DEFAULTS.maxMessages,
    maxBytes: o.maxBytes ?? RECOVERY_DEFAULTS.maxBytes,
    accept: o.accept,
  });
}

/**
 * Session recovery on the browser client's side (`connect(url, { recovery: true })`): the token and the
 * count of data messages received, presented on every (re)connect, and what the server's control message
 * said. The wire itself (parameters, control message) is `contract/recovery-wire.ts`, the server's too.
 */
import { parseControl, withAsk, type RecoveryRefusal, type RecoveryStatus } from "../contract/recovery-wire.js";

/** One logical session's recovery state, kept across the client's connections. */
export class RecoveryTracker {
  /** The session's token, from the last control message (undefined: none yet, ask for a new session). */
  private token: string | undefined;
  /** Data messages received in the server's session: the offset presented on the next recovery. */
  received = 0;
  private outcome: { readonly sessionId: string; readonly recovered: boolean; readonly refused: RecoveryRefusal | undefined } | null = null;

  /** The URL of the next connection: `base` with the recovery parameters. */
  url(base: string): string {
    return withAsk(base, this.token, this.received);
  }

  /**
   * Reads the first message of a connection. True: it was the control message (not a data message);
   * false: the server does not speak recovery and the message is data. Either way the status is set.
   */
  control(data: unknown): boolean {
    const c = typeof data === "string" ? parseControl(data) : undefined;
    this.outcome = null;
    if (c === undefined || c === "unsupported") return c !== undefined;
    this.token = c.token;
    this.received = c.offset;
    this.outcome = { sessionId: c.session, recovered: c.recovered, refused: c.refused };
    return true;
  }

  /** The current connection's outcome; null before the first control message or when the endpoint has no recovery. */
  get status(): RecoveryStatus | null {
    return this.outcome && { ...this.outcome, offset: this.received };
  }
}

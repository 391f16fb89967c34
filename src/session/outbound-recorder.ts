import type { OutKind } from "./outbound-entry.js";

/**
 * What a recoverable session reports to session recovery (recovery/session-recorder.ts). Declared here so
 * session/ never imports recovery/; a session without recovery has none and pays one null check per send.
 */
export interface OutboundRecorder {
  /** Whether the session was recovered (`isRecovered()`). */
  readonly recovered: boolean;
  /** Data messages the session has been sent over its whole life, across recoveries (the next offset). */
  readonly nextOffset: number;
  /** A data message (or a piece of one, `fin` false) was accepted into the outbound queue, in wire order. */
  record(kind: OutKind, data: string | Buffer | readonly Buffer[], fin: boolean): void;
  /** A broadcast waits behind the session's open fragmented message: it goes out (and counts) after the last piece. */
  hold(kind: OutKind, data: string | Buffer | readonly Buffer[]): void;
  /** The session's rooms or user properties changed. */
  changed(): void;
  /** The session leaves: a close it started (`byServer`), or its transport closed with `code` (undefined: not a transport close). */
  leaving(code: number | undefined, byServer: boolean): void;
}

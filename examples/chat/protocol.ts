/**
 * The chat's wire protocol: JSON text frames. Peers send `chat` and `private` (see messages.ts, validated
 * by the framework); the server sends the rest. Every bad input gets an `error` message naming what was
 * wrong, nothing a peer sends is dropped silently.
 */

/** Longest chat text, in characters. */
export const MAX_TEXT = 500;
/** Nicknames: 1–20 letters, digits, `_`, `-` or `.`. */
export const NICKNAME = /^[\p{L}\p{N}_.-]{1,20}$/u;

export type ServerMessage =
  | { type: "welcome"; user: string; online: number; users: string[] }
  | { type: "joined"; user: string; online: number }
  | { type: "left"; user: string; online: number }
  | { type: "chat"; from: string; text: string; at: string }
  | { type: "private"; from: string; to: string; text: string; at: string }
  | { type: "error"; code: "USER_OFFLINE"; message: string };

/** Application errors; invalid input is answered by the framework with VALIDATION_FAILED, UNKNOWN_MESSAGE_TYPE or INVALID_JSON. */
export type ErrorCode = "USER_OFFLINE";

/** A refusal to send back to the peer. */
export class ProtocolError {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
  ) {}

  toMessage(): ServerMessage {
    return { type: "error", code: this.code, message: this.message };
  }
}

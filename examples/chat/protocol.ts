/**
 * The chat's wire protocol: JSON text frames. Peers send `join` (a request), `chat` and `private` (see
 * messages.ts, validated by the framework); the server sends the rest. Every bad input gets an `error`
 * message naming what was wrong; nothing a peer sends is dropped silently. contract.ts lists it all for
 * the page's typed client.
 */

/** Longest chat text, in characters. */
export const MAX_TEXT = 500;
/** Nicknames: 1–20 letters, digits, `_`, `-` or `.`. */
export const NICKNAME = /^[\p{L}\p{N}_.-]{1,20}$/u;

/** The reply to `join`: who you are and who is here. */
export interface Welcome {
  user: string;
  online: number;
  users: string[];
}
/** Someone joined or left; `online` is the count after the change. */
export interface PresenceNotice {
  user: string;
  online: number;
}
/** A message to everyone. */
export interface ChatLine {
  from: string;
  text: string;
  at: string;
}
/** A message to one user (sent to its target and back to its author). */
export interface PrivateLine extends ChatLine {
  to: string;
}
/** Application errors; invalid input is answered by the framework with VALIDATION_FAILED, UNKNOWN_MESSAGE_TYPE or INVALID_JSON. */
export type ErrorCode = "USER_OFFLINE" | "NICKNAME_TAKEN" | "ALREADY_JOINED" | "NOT_JOINED";
/** An application error (as a reply to `join`, or on its own). */
export interface ChatError {
  code: ErrorCode;
  message: string;
}

export type ServerMessage =
  | ({ type: "welcome" } & Welcome)
  | ({ type: "joined" } & PresenceNotice)
  | ({ type: "left" } & PresenceNotice)
  | ({ type: "chat" } & ChatLine)
  | ({ type: "private" } & PrivateLine)
  | ({ type: "error" } & ChatError);

/** A refusal to send back to the peer. */
export class ProtocolError {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
  ) {}

  toMessage(): ServerMessage & { type: "error" } {
    return { type: "error", code: this.code, message: this.message };
  }
}

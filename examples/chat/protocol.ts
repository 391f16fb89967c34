/**
 * The chat's wire protocol: JSON text frames. Peers send `chat` and `private`; the server sends the rest.
 * Every bad input gets an `error` message naming what was wrong; nothing a peer sends is dropped silently.
 */

/** Longest chat text, in characters. */
export const MAX_TEXT = 500;
/** Nicknames: 1–20 letters, digits, `_`, `-` or `.`. */
export const NICKNAME = /^[\p{L}\p{N}_.-]{1,20}$/u;

export type ClientMessage = { type: "chat"; text: string } | { type: "private"; to: string; text: string };

export type ServerMessage =
  | { type: "welcome"; user: string; online: number; users: string[] }
  | { type: "joined"; user: string; online: number }
  | { type: "left"; user: string; online: number }
  | { type: "chat"; from: string; text: string; at: string }
  | { type: "private"; from: string; to: string; text: string; at: string }
  | { type: "error"; code: ErrorCode; message: string };

export type ErrorCode = "INVALID_JSON" | "UNKNOWN_TYPE" | "INVALID_FIELD" | "USER_OFFLINE";

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

function text(value: unknown, field: string): string | ProtocolError {
  if (typeof value !== "string") return new ProtocolError("INVALID_FIELD", `"${field}" must be a string.`);
  const trimmed = value.trim();
  if (trimmed.length === 0) return new ProtocolError("INVALID_FIELD", `"${field}" must not be empty.`);
  if ([...trimmed].length > MAX_TEXT) return new ProtocolError("INVALID_FIELD", `"${field}" must be at most ${MAX_TEXT} characters.`);
  return trimmed;
}

/** Parses and checks one message from a peer. */
export function parseClientMessage(raw: string): ClientMessage | ProtocolError {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return new ProtocolError("INVALID_JSON", 'Messages must be JSON, e.g. {"type":"chat","text":"hello"}.');
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return new ProtocolError("INVALID_JSON", 'Messages must be JSON objects, e.g. {"type":"chat","text":"hello"}.');
  }
  const msg = value as Record<string, unknown>;
  switch (msg.type) {
    case "chat": {
      const t = text(msg.text, "text");
      return t instanceof ProtocolError ? t : { type: "chat", text: t };
    }
    case "private": {
      if (typeof msg.to !== "string" || !NICKNAME.test(msg.to)) {
        return new ProtocolError("INVALID_FIELD", '"to" must be the nickname of an online user.');
      }
      const t = text(msg.text, "text");
      return t instanceof ProtocolError ? t : { type: "private", to: msg.to, text: t };
    }
    default:
      return new ProtocolError("UNKNOWN_TYPE", `Unknown message type ${JSON.stringify(msg.type)}; use "chat" or "private".`);
  }
}

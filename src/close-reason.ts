/** Close codes of RFC 6455 §7.4.1 under their Jakarta WebSocket names. */
export const CloseCodes = {
  /** The purpose of the connection was fulfilled. */
  NORMAL_CLOSURE: 1000,
  /** The endpoint is going away (server shutdown, page navigation). */
  GOING_AWAY: 1001,
  /** The peer broke the WebSocket protocol. */
  PROTOCOL_ERROR: 1002,
  /** A message of a type the endpoint cannot accept (text vs binary). */
  CANNOT_ACCEPT: 1003,
  /** Received only: the close frame carried no status. Never sent. */
  NO_STATUS_CODE: 1005,
  /** Received only: the connection dropped without a close frame. Never sent. */
  CLOSED_ABNORMALLY: 1006,
  /** A message's data was not consistent with its type (e.g. invalid UTF-8, invalid payload). */
  NOT_CONSISTENT: 1007,
  /** A message violated the endpoint's policy. */
  VIOLATED_POLICY: 1008,
  /** A message was too big to process. */
  TOO_BIG: 1009,
  /** The client expected an extension the server did not negotiate. */
  NO_EXTENSION: 1010,
  /** The server hit an unexpected condition (an unhandled handler error). */
  UNEXPECTED_CONDITION: 1011,
  /** The service is restarting; reconnect later. */
  SERVICE_RESTART: 1012,
  /** The server is overloaded; reconnect later. */
  TRY_AGAIN_LATER: 1013,
  /** Received only: the TLS handshake failed. Never sent. */
  TLS_HANDSHAKE_FAILURE: 1015,
} as const;
/** One of the named close codes. */
export type CloseCode = (typeof CloseCodes)[keyof typeof CloseCodes];

const NAMES: ReadonlyMap<number, string> = new Map(Object.entries(CloseCodes).map(([k, v]) => [v, k]));

/** Largest close reason in bytes: a control frame carries 125 bytes, two of them the code. */
export const MAX_REASON_BYTES = 123;

/**
 * Why a session closed, or why it is being closed: a close code and a reason phrase.
 *
 * @example
 * ```ts
 * session.close(new CloseReason(CloseCodes.VIOLATED_POLICY, "too many messages"));
 * ```
 */
export class CloseReason {
  private readonly code: number;
  private readonly phrase: string;

  /**
   * @param code - 1000–4999, excluding the codes an endpoint may not send (1004–1006, 1015) when used to close.
   * @param reasonPhrase - truncated to 123 UTF-8 bytes without splitting a character.
   */
  constructor(code: number, reasonPhrase = "") {
    if (!Number.isInteger(code) || code < 1000 || code > 4999) {
      throw new RangeError(`CloseReason code must be an integer from 1000 to 4999; got ${String(code)}.`);
    }
    if (typeof reasonPhrase !== "string") throw new TypeError("CloseReason reasonPhrase must be a string.");
    this.code = code;
    this.phrase = truncateUtf8(reasonPhrase, MAX_REASON_BYTES);
    Object.freeze(this);
  }

  /** The numeric close code. */
  getCloseCode(): number {
    return this.code;
  }

  /** The code's Jakarta name (`NORMAL_CLOSURE`, …) or `undefined` for application codes. */
  getCloseCodeName(): string | undefined {
    return NAMES.get(this.code);
  }

  /** The reason phrase (possibly empty). */
  getReasonPhrase(): string {
    return this.phrase;
  }

  /** `CloseReason(1000 NORMAL_CLOSURE, "reason")`, for logs. */
  toString(): string {
    return `CloseReason[${this.code}${NAMES.has(this.code) ? ` ${NAMES.get(this.code)}` : ""}${this.phrase ? `: ${this.phrase}` : ""}]`;
  }
}

/** Whether an endpoint may put `code` in a close frame it sends (RFC 6455 §7.4). */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes on a character boundary. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  const buf = Buffer.from(text, "utf8");
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString("utf8");
}

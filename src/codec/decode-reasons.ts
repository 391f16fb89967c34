/**
 * Values of `DecodeError.reason`, which is also the `code` of the error reply sent to the peer.
 * Stable: clients match on them.
 */
export const DecodeReasons = {
  /** The text is not JSON. */
  INVALID_JSON: "INVALID_JSON",
  /** The JSON did not pass the DTO's class-validator rules. */
  VALIDATION_FAILED: "VALIDATION_FAILED",
  /** The envelope's discriminator is missing or names no handler. */
  UNKNOWN_MESSAGE_TYPE: "UNKNOWN_MESSAGE_TYPE",
  /** No registered decoder's `willDecode` accepted the message. */
  NO_DECODER: "NO_DECODER",
  /** A user decoder threw or rejected. */
  DECODE_FAILED: "DECODE_FAILED",
  /** The message exceeds the handler's `maxMessageSize` (the session closes with 1009). */
  MESSAGE_TOO_BIG: "MESSAGE_TOO_BIG",
} as const;
/** One of the {@link DecodeReasons} values. */
export type DecodeReason = (typeof DecodeReasons)[keyof typeof DecodeReasons];

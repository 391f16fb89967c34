import type { DecodeError, FieldError } from "../errors.js";
import { CloseCodes } from "../close-reason.js";
import { InvalidMessagePolicies, type InvalidMessagePolicy } from "./codec-options.js";
import { DecodeReasons, type DecodeReason } from "./decode-reasons.js";

/**
 * The error message a peer receives for an invalid message under the `"reply"` policy (with the default
 * envelope fields), for typing clients.
 */
export interface ErrorReply {
  /** Always `"error"` (the envelope's type field). */
  readonly type: "error";
  /** Why the message was refused. */
  readonly code: DecodeReason;
  /** Invalid fields, when validation failed. */
  readonly errors: readonly FieldError[];
  /** With `UNKNOWN_MESSAGE_TYPE`: the types the endpoint accepts. */
  readonly accepted?: readonly string[];
  /** The `id` of the message this answers, when it had one. */
  readonly id?: string | number;
}

/** How an endpoint answers messages it cannot decode; compiled once per endpoint. */
export interface InvalidMessageSettings {
  readonly invalidMessages: InvalidMessagePolicy;
  readonly typeField: string;
  readonly idField: string | null;
}

/** What to do about one undecodable message. */
export interface InvalidMessageAnswer {
  /** Error message for the peer (JSON text), or `null`. */
  readonly reply: string | null;
  /** Close code once `@OnError` ran, or 0 to keep the session open. */
  readonly closeCode: number;
}

// Replies stay small however many fields a hostile message gets wrong.
const MAX_REPLY_ERRORS = 50;

/**
 * Applies the endpoint's policy: the error reply for `"reply"`, the close code for `"close-1007"` /
 * `"close-1008"`, nothing extra for `"on-error"`. An oversized message always closes with 1009.
 */
export function answerInvalidMessage(error: DecodeError, settings: InvalidMessageSettings): InvalidMessageAnswer {
  if (error.reason === DecodeReasons.MESSAGE_TOO_BIG) return { reply: null, closeCode: CloseCodes.TOO_BIG };
  switch (settings.invalidMessages) {
    case InvalidMessagePolicies.REPLY:
      return { reply: errorReply(error, settings), closeCode: 0 };
    case InvalidMessagePolicies.CLOSE_1007:
      return { reply: null, closeCode: CloseCodes.NOT_CONSISTENT };
    case InvalidMessagePolicies.CLOSE_1008:
      return { reply: null, closeCode: CloseCodes.VIOLATED_POLICY };
    default:
      return { reply: null, closeCode: 0 };
  }
}

/**
 * The error message sent to the peer:
 * `{"type":"error","code":"VALIDATION_FAILED","errors":[{"path":"text","constraints":{…}}]}`, plus
 * `accepted` for `UNKNOWN_MESSAGE_TYPE` and the envelope's `id` when it had one.
 */
export function errorReply(error: DecodeError, settings: Pick<InvalidMessageSettings, "typeField" | "idField">): string {
  const body: Record<string, unknown> = {};
  body[settings.typeField] = "error";
  body.code = error.reason;
  body.errors = error.errors.length > MAX_REPLY_ERRORS ? error.errors.slice(0, MAX_REPLY_ERRORS) : error.errors;
  if (error.accepted !== undefined) body.accepted = error.accepted;
  if (error.replyId !== undefined && settings.idField !== null) body[settings.idField] = error.replyId;
  return JSON.stringify(body);
}

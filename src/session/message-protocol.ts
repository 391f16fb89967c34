/**
 * What a session needs to send envelope messages of its own (`session.send`, `session.request`) and to
 * match the peer's `$reply`: the endpoint's envelope fields, its request bounds, and the encoding. Built once
 * per endpoint at bootstrap (codec/message-encoder.ts) and shared by its sessions; session/ only reads it.
 */
export interface MessageProtocol {
  /** Discriminator field (`"type"`). */
  readonly typeField: string;
  /** Correlation field (`"id"`), or `null` when the endpoint turned correlation off (then requests are refused). */
  readonly idField: string | null;
  /** Requests of one session waiting for their `$reply` at most (`maxPendingRequests`). */
  readonly maxPendingRequests: number;
  /** Default wait for a `$reply`, in ms (`requestTimeout`). */
  readonly requestTimeout: number;
  /**
   * The server messages of the endpoint's contract, `true` for requests; `null` without a contract (any
   * type may be sent).
   */
  readonly serverMessages: ReadonlyMap<string, boolean> | null;
  /** The endpoint's `contract` option, or `null`. */
  readonly contract: object | null;
  /**
   * The JSON text of one message: the envelope fields, then the payload inline (or under the endpoint's
   * `dataField`). @throws EncodeError, TypeError for a payload that is not an object or carries an envelope field.
   */
  encode(type: string, id: string | undefined, payload: unknown): string;
}

/** The `type` of the peer's answer to a server request. */
export const REPLY_TYPE = "$reply";

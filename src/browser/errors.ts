/**
 * Errors of the browser client. Each has a `code` to match on; they do not extend the server's
 * `WebSocketEndpointError` because the browser bundle may not import the rest of the package.
 */

/** Base class of the browser client's errors. */
export class BrowserClientError extends Error {
  constructor(
    /** Stable code to match on (`"REQUEST_TIMEOUT"`, or the server's code for a {@link RequestError}). */
    readonly code: string,
    message: string,
  ) {
    super(message);
    // Set by name, not new.target.name: minifiers rename classes.
    this.name = "BrowserClientError";
  }
}

/** One invalid field of a `VALIDATION_FAILED` error reply. */
export interface FieldError {
  /** Dotted path of the field (`author.name`). */
  readonly path: string;
  /** Failed constraints by name, with the server's messages. */
  readonly constraints?: Readonly<Record<string, string>>;
}

/**
 * The server answered a request with an error reply (`{"type":"error","code":...,"id":7}`), or sent an
 * error message that answers no request (given to `on("error", …)` listeners, not thrown). `code` is the
 * server's: `VALIDATION_FAILED` (see `errors`), `UNKNOWN_MESSAGE_TYPE` (see `accepted`), `INVALID_JSON`,
 * `RATE_LIMITED`, or an application code.
 */
export class RequestError extends BrowserClientError {
  constructor(
    code: string,
    message: string,
    /** Invalid fields, for `VALIDATION_FAILED`. */
    readonly errors: readonly FieldError[] = [],
    /** Message types the endpoint handles, for `UNKNOWN_MESSAGE_TYPE`. */
    readonly accepted: readonly string[] | undefined = undefined,
  ) {
    super(code, message);
    this.name = "RequestError";
  }
}

/** No answer to a request within its timeout (code `REQUEST_TIMEOUT`). */
export class RequestTimeoutError extends BrowserClientError {
  constructor(
    /** The request's message type. */
    readonly type: string,
    /** The timeout that ran out, in ms. */
    readonly timeout: number,
  ) {
    super("REQUEST_TIMEOUT", `No reply to "${type}" within ${timeout} ms.`);
    this.name = "RequestTimeoutError";
  }
}

/**
 * The connection closed before the answer came (a request already sent when the connection dropped), or
 * the client is closed for good (code `CONNECTION_CLOSED`).
 */
export class ConnectionClosedError extends BrowserClientError {
  constructor(
    message: string,
    /** Close code of the connection that ended. */
    readonly closeCode: number,
  ) {
    super("CONNECTION_CLOSED", message);
    this.name = "ConnectionClosedError";
  }
}

/** The outage buffer or the table of pending requests is full (code `BUFFER_OVERFLOW`). */
export class BufferOverflowError extends BrowserClientError {
  constructor(message: string) {
    super("BUFFER_OVERFLOW", message);
    this.name = "BufferOverflowError";
  }
}

/** `connect` was given an invalid option; the message names every bad field (code `INVALID_OPTIONS`). */
export class ClientOptionsError extends BrowserClientError {
  constructor(message: string) {
    super("INVALID_OPTIONS", message);
    this.name = "ClientOptionsError";
  }
}

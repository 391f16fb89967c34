/**
 * Every error the framework raises, each with a stable `code` users can match on. Codes are never reused;
 * docs/errors.md lists them all and a test keeps that page equal to this file.
 */

/** Stable error codes. */
export const ErrorCodes = {
  ENDPOINT_DEFINITION: "WSE_ERR_ENDPOINT_DEFINITION",
  INVALID_OPTIONS: "WSE_ERR_INVALID_OPTIONS",
  SESSION_CLOSED: "WSE_ERR_SESSION_CLOSED",
  HANDLER_FAILED: "WSE_ERR_HANDLER_FAILED",
  UNSUPPORTED_MESSAGE: "WSE_ERR_UNSUPPORTED_MESSAGE",
  DECODE_FAILED: "WSE_ERR_DECODE_FAILED",
  ENCODE_FAILED: "WSE_ERR_ENCODE_FAILED",
  HANDSHAKE_REJECTED: "WSE_ERR_HANDSHAKE_REJECTED",
  SEND_TIMEOUT: "WSE_ERR_SEND_TIMEOUT",
  QUEUE_OVERFLOW: "WSE_ERR_QUEUE_OVERFLOW",
  FRAGMENT_INTERLEAVED: "WSE_ERR_FRAGMENT_INTERLEAVED",
  TRANSPORT: "WSE_ERR_TRANSPORT",
  CONNECT_FAILED: "WSE_ERR_CONNECT_FAILED",
  HANDSHAKE_REFUSED: "WSE_ERR_HANDSHAKE_REFUSED",
  RATE_LIMITED: "WSE_ERR_RATE_LIMITED",
  BROKER: "WSE_ERR_BROKER",
  HANDLER_TIMEOUT: "WSE_ERR_HANDLER_TIMEOUT",
  MISSING_PEER_DEPENDENCY: "WSE_ERR_MISSING_PEER_DEPENDENCY",
  DUPLICATE_PEER_DEPENDENCY: "WSE_ERR_DUPLICATE_PEER_DEPENDENCY",
  REQUEST_FAILED: "WSE_ERR_REQUEST_FAILED",
  REQUEST_TIMEOUT: "WSE_ERR_REQUEST_TIMEOUT",
  FORBIDDEN: "WSE_ERR_FORBIDDEN",
} as const;
/** One of the {@link ErrorCodes} values. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Base class of every ws-endpoints error. */
export class WebSocketEndpointError extends Error {
  /** Stable machine-readable code, e.g. `WSE_ERR_SESSION_CLOSED`. */
  readonly code: ErrorCode;
  /** The WebSocket close code this error leads to when it closes a session, if any. */
  readonly closeCode: number | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; closeCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.closeCode = options.closeCode;
    this.name = new.target.name;
  }
}

/** One problem found while compiling endpoint classes. */
export interface DefinitionProblem {
  /** `Class` or `Class.method`. */
  readonly where: string;
  /** Parameter index, when the problem is about one parameter. */
  readonly parameterIndex?: number;
  /** What is wrong. */
  readonly problem: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Endpoint declarations that cannot work; thrown once at bootstrap with every problem found. */
export class EndpointDefinitionError extends WebSocketEndpointError {
  /** Each problem, in the order found. */
  readonly problems: readonly DefinitionProblem[];

  constructor(problems: readonly DefinitionProblem[]) {
    const lines = problems.map(
      (p) => `  - ${p.where}${p.parameterIndex === undefined ? "" : ` parameter #${p.parameterIndex}`}: ${p.problem} Fix: ${p.fix}`,
    );
    super(
      ErrorCodes.ENDPOINT_DEFINITION,
      `${problems.length} problem${problems.length === 1 ? "" : "s"} in endpoint declarations:\n${lines.join("\n")}`,
    );
    this.problems = Object.freeze([...problems]);
  }
}

/** Options passed to `bootstrap()` (or another factory) that are out of range or contradict each other. */
export class InvalidOptionsError extends WebSocketEndpointError {
  constructor(message: string) {
    super(ErrorCodes.INVALID_OPTIONS, message);
  }
}

/** A send or close was attempted on a session that is no longer open. */
export class SessionClosedError extends WebSocketEndpointError {
  constructor(message = "The session is closed; nothing was sent.", cause?: unknown) {
    super(ErrorCodes.SESSION_CLOSED, message, { cause });
  }
}

/**
 * A lifecycle method threw or rejected with a value that is not an `Error` (a string, a number, a plain
 * object), which is in `cause`; or an endpoint constructor threw. A thrown `Error` is never wrapped:
 * `@OnError` receives it as it was thrown.
 */
export class HandlerError extends WebSocketEndpointError {
  /** `Class.method` that failed. */
  readonly handler: string;

  constructor(handler: string, cause: unknown) {
    super(ErrorCodes.HANDLER_FAILED, `${handler} failed: ${describe(cause)}`, { cause, closeCode: 1011 });
    this.handler = handler;
  }
}

/**
 * A lifecycle method's promise did not settle within `handlerTimeout`. The session's queue moved on
 * without it: its late result is ignored. Goes to @OnError; without one the session closes with 1011.
 */
export class HandlerTimeoutError extends WebSocketEndpointError {
  /** `Class.method` that did not settle. */
  readonly handler: string;
  /** The `handlerTimeout` in force, in ms. */
  readonly timeoutMs: number;

  constructor(handler: string, timeoutMs: number) {
    super(ErrorCodes.HANDLER_TIMEOUT, `${handler} did not settle within ${timeoutMs} ms (handlerTimeout); the session moved on without it.`, {
      closeCode: 1011,
    });
    this.handler = handler;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A guard refused a message or a session (`ws-endpoints/pipeline`). Guards return `false` (the framework
 * throws this for them) or throw it themselves with their own message. Unless an error filter maps it, a
 * refused message is answered with a `FORBIDDEN` error reply (or a 1008 close, per `guardRefusal`) and a
 * refused `@OnOpen` closes the session with 1008; `@OnError` is not called.
 */
export class ForbiddenError extends WebSocketEndpointError {
  /** `Class.method` the guard protected (empty when thrown by user code with no handler in mind). */
  readonly handler: string;

  constructor(message = "forbidden", handler = "") {
    super(ErrorCodes.FORBIDDEN, message, { closeCode: 1008 });
    this.handler = handler;
  }
}

/** The peer sent a kind of message (text, binary) that the endpoint has no handler for. */
export class UnsupportedMessageError extends WebSocketEndpointError {
  constructor(message: string) {
    super(ErrorCodes.UNSUPPORTED_MESSAGE, message, { closeCode: 1003 });
  }
}

/** An inbound message could not be decoded or validated. */
export class DecodeError extends WebSocketEndpointError {
  /** The raw payload as received. */
  readonly payload: string | Buffer;
  /** Machine-readable reason, e.g. `INVALID_JSON`, `VALIDATION_FAILED`, `UNKNOWN_MESSAGE_TYPE`. */
  readonly reason: string;
  /** Per-field validation problems, when the reason is `VALIDATION_FAILED`. */
  readonly errors: readonly FieldError[];
  /** Name of the decoder class that failed, when a user decoder was involved. */
  readonly decoder: string | undefined;
  /** Discriminator values the endpoint accepts, when the reason is `UNKNOWN_MESSAGE_TYPE`. */
  readonly accepted: readonly string[] | undefined;
  /** The `id` of the incoming envelope, echoed in the error reply for correlation. */
  readonly replyId: unknown;

  constructor(
    reason: string,
    message: string,
    payload: string | Buffer,
    options: {
      cause?: unknown;
      errors?: readonly FieldError[];
      closeCode?: number;
      decoder?: string;
      accepted?: readonly string[];
      replyId?: unknown;
    } = {},
  ) {
    super(ErrorCodes.DECODE_FAILED, message, { cause: options.cause, closeCode: options.closeCode ?? 1007 });
    this.reason = reason;
    this.payload = payload;
    this.errors = options.errors ?? [];
    this.decoder = options.decoder;
    this.accepted = options.accepted;
    this.replyId = options.replyId;
  }
}

/** One invalid field of a decoded object. */
export interface FieldError {
  /** Dotted property path, e.g. `author.name` or `tags.2`. */
  readonly path: string;
  /** Constraint name to human message, as class-validator reports them. */
  readonly constraints: Readonly<Record<string, string>>;
}

/** An outbound object could not be encoded. */
export class EncodeError extends WebSocketEndpointError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCodes.ENCODE_FAILED, message, { cause });
  }
}

/** An upgrade request was refused; written to the client as a real HTTP response with `status`. */
export class HandshakeRejectedError extends WebSocketEndpointError {
  /** HTTP status sent to the client. */
  readonly status: number;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(ErrorCodes.HANDSHAKE_REJECTED, message);
    this.status = status;
    this.headers = Object.freeze({ ...headers });
  }
}

/** @deprecated Renamed {@link HandshakeRejectedError} (every error class ends in `Error`); removed in the next release. */
export const HandshakeRejected = HandshakeRejectedError;
/** @deprecated Renamed {@link HandshakeRejectedError}; removed in the next release. */
export type HandshakeRejected = HandshakeRejectedError;

/** A send did not reach the socket within `sendTimeout`. */
export class SendTimeoutError extends WebSocketEndpointError {
  constructor(timeoutMs: number) {
    super(ErrorCodes.SEND_TIMEOUT, `The send was not flushed within ${timeoutMs} ms (sendTimeout).`);
  }
}

/**
 * The session's outbound queue is full and its policy refused or dropped this message; or a
 * `session.request` found `maxPendingRequests` requests already waiting (then `closeCode` is undefined:
 * the session stays open).
 */
export class QueueOverflowError extends WebSocketEndpointError {
  constructor(message: string, closeCode: number | undefined = 1008) {
    super(ErrorCodes.QUEUE_OVERFLOW, message, closeCode === undefined ? {} : { closeCode });
  }
}

/**
 * The peer answered a `session.request` with `{"type":"$reply","ok":false,"error":{code,message}}`, or
 * with a `$reply` that is not of that shape (`reason` `"INVALID_REPLY"`).
 */
export class RequestFailedError extends WebSocketEndpointError {
  /** The peer's error code, e.g. `"HANDLER_FAILED"` or `"NO_HANDLER"` (browser client), or `"INVALID_REPLY"`. */
  readonly reason: string;
  /** The type of the request that failed. */
  readonly requestType: string;
  /** Its correlation id (`"s1"`, `"s2"`, …). */
  readonly requestId: string;

  constructor(requestType: string, requestId: string, reason: string, peerMessage: string) {
    super(ErrorCodes.REQUEST_FAILED, `The peer refused request ${JSON.stringify(requestType)} (${requestId}): ${reason}${peerMessage === "" ? "" : `: ${peerMessage}`}`);
    this.reason = reason;
    this.requestType = requestType;
    this.requestId = requestId;
  }
}

/** A `session.request` got no `$reply` within its timeout; a reply arriving later is ignored. */
export class RequestTimeoutError extends WebSocketEndpointError {
  /** The type of the request. */
  readonly requestType: string;
  /** Its correlation id. */
  readonly requestId: string;
  /** The timeout in force, in ms. */
  readonly timeoutMs: number;

  constructor(requestType: string, requestId: string, timeoutMs: number) {
    super(ErrorCodes.REQUEST_TIMEOUT, `The peer did not answer request ${JSON.stringify(requestType)} (${requestId}) within ${timeoutMs} ms.`);
    this.requestType = requestType;
    this.requestId = requestId;
    this.timeoutMs = timeoutMs;
  }
}

/** A whole message was sent while a fragmented (partial) message was still open, or vice versa. */
export class FragmentInterleavedError extends WebSocketEndpointError {
  constructor(message: string) {
    super(ErrorCodes.FRAGMENT_INTERLEAVED, message);
  }
}

/** The underlying socket reported an error. */
export class TransportError extends WebSocketEndpointError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCodes.TRANSPORT, message, { cause, closeCode: 1006 });
  }
}

/** A client connection could not be established: network error, handshake timeout or invalid response. */
export class ConnectError extends WebSocketEndpointError {
  /** The URL the client tried to reach. */
  readonly url: string;

  constructor(url: string, message: string, cause?: unknown) {
    super(ErrorCodes.CONNECT_FAILED, `Could not connect to ${url}: ${message}`, { cause });
    this.url = url;
  }
}

/** The server answered a client's upgrade request with an HTTP status instead of accepting it (e.g. 401). */
export class HandshakeRefusedError extends WebSocketEndpointError {
  /** The URL the client tried to reach. */
  readonly url: string;
  /** HTTP status of the server's answer. */
  readonly status: number;
  /** Headers of the server's answer (e.g. `www-authenticate`, `retry-after`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Body of the server's answer as UTF-8 text (the reason it gave), at most its first 4 KiB; `""` when it sent none. */
  readonly body: string;

  constructor(url: string, status: number, statusText: string, headers: Readonly<Record<string, string | string[] | undefined>>, body = "") {
    const reason = body.trim().split("\n", 1)[0]!.slice(0, 200);
    super(ErrorCodes.HANDSHAKE_REFUSED, `The server at ${url} refused the WebSocket upgrade with HTTP ${status}${statusText ? ` ${statusText}` : ""}.${reason && reason !== statusText ? ` It said: ${reason}` : ""}`);
    this.url = url;
    this.status = status;
    this.headers = Object.freeze({ ...headers });
    this.body = body;
  }
}

/** A peer sent messages faster than the endpoint's `rateLimit`; the session closes with 1008 or the message is dropped. */
export class RateLimitedError extends WebSocketEndpointError {
  constructor(message = "rate limit exceeded: message dropped") {
    super(ErrorCodes.RATE_LIMITED, message, { closeCode: 1008 });
  }
}

/**
 * The broker could not carry a message or answer a presence query (e.g. Redis is unreachable). Local
 * delivery is unaffected; the original error is in `cause`.
 */
export class BrokerError extends WebSocketEndpointError {
  constructor(message: string, cause?: unknown) {
    super(ErrorCodes.BROKER, message, { cause });
  }
}

/**
 * A feature needs an optional peer dependency that is not installed (`ioredis` for `ws-endpoints/redis`,
 * `class-validator-jsonschema` for AsyncAPI generation). The message names the package and the command
 * that installs it.
 */
export class MissingPeerDependencyError extends WebSocketEndpointError {
  /** The npm package to install, e.g. `ioredis`. */
  readonly packageName: string;

  constructor(packageName: string, range: string, feature: string, cause?: unknown) {
    super(
      ErrorCodes.MISSING_PEER_DEPENDENCY,
      `${feature} needs the package "${packageName}", which is not installed (it is an optional peer dependency of ws-endpoints). Install it in your project: npm install ${packageName}@"${range}"`,
      { cause },
    );
    this.packageName = packageName;
  }
}

/**
 * At bootstrap: two copies of a library that must be shared with the application (tsyringe,
 * class-validator) are loaded, so services registered or DTO rules declared in one are invisible to the
 * other. The message names both paths and the fix.
 */
export class DuplicatePeerDependencyError extends WebSocketEndpointError {
  /** The duplicated package, e.g. `tsyringe`. */
  readonly packageName: string;
  /** Directory of the copy ws-endpoints loads. */
  readonly frameworkCopy: string;
  /** Directory of the other copy, the one the application's classes were decorated with. */
  readonly applicationCopy: string;

  constructor(packageName: string, frameworkCopy: string, applicationCopy: string) {
    super(
      ErrorCodes.DUPLICATE_PEER_DEPENDENCY,
      `Two copies of "${packageName}" are loaded: ws-endpoints uses ${frameworkCopy}, your code uses ${applicationCopy}. ` +
        `It must be one copy shared by both (it is a peer dependency of ws-endpoints). Fix: install ${packageName} once in your project ` +
        `(npm install ${packageName}) and remove the nested copy (npm dedupe; with pnpm, do not pin another version of it).`,
    );
    this.packageName = packageName;
    this.frameworkCopy = frameworkCopy;
    this.applicationCopy = applicationCopy;
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return String(value);
  } catch {
    return "(unprintable value)";
  }
}

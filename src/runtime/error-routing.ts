import { DecodeReasons } from "../codec/decode-reasons.js";
import { answerInvalidMessage } from "../codec/invalid-message.js";
import type { CompiledEndpointBase, CompiledHandler } from "../endpoint/compiled.js";
import { DecodeError, TransportError, UnsupportedMessageError, WebSocketEndpointError } from "../errors.js";
import type { Logger } from "../metrics/logger.js";
import { CloseCodes, MAX_REASON_BYTES, truncateUtf8 } from "../close-reason.js";
import type { WsSession } from "../session/ws-session.js";
import { OUT } from "../session/outbound-entry.js";
import { deliverable, thrownOf } from "./handler-failure.js";
import { filterError, reportUnhandled } from "./error-filters.js";
import { isThenable } from "../util/thenable.js";

// What happens to a session when something fails: @OnError, an error reply, or a close with the right
// code. Only failures come here, so the dispatcher's success path never leaves its own class.

/** What error routing needs from the dispatcher of the failing session. */
export interface ErrorHost {
  readonly endpoint: CompiledEndpointBase;
  readonly session: WsSession;
  readonly logger: Logger;
  /** @OnClose has run: a later error is only logged. */
  readonly finished: boolean;
  /** Routes an error of the running job (a framework error or a HandlerFailure); forgets the job's reply. */
  fail(raw: unknown): unknown;
  /** Runs @OnError with `error` as its error argument; a synchronous throw reaches the caller. */
  callOnError(error: Error): unknown;
}

/**
 * Lets error filters (and a guard's refusal policy) answer `error`, else sends it to @OnError, or closes
 * with its close code when there is none. `failedIn` is the user handler that threw it (null for
 * framework errors); `replyId` the correlation id of the message being handled, kept in a filter's reply.
 * Returns what @OnError returned when it is a promise (the queue waits for it), else `undefined`.
 */
export function routeError(host: ErrorHost, error: Error, failedIn: CompiledHandler | null, replyId?: unknown): unknown {
  const ep = host.endpoint;
  const session = host.session;
  const handler = failedIn?.label;
  if (host.finished) {
    host.logger.warn({ err: error, handler, session: session.id }, `${ep.name}: error after close`);
    reportUnhandled(host, error, handler);
    return undefined;
  }
  // Decode errors have their own policy (invalidMessages) and transport errors are the connection's.
  if (!(error instanceof DecodeError) && !(error instanceof TransportError) && filterError(host, error, failedIn, replyId)) return undefined;
  // Only our own errors choose a close code: a user error's `closeCode` field is the user's business.
  const own = error instanceof WebSocketEndpointError ? error : undefined;
  const closeAfter = error instanceof UnsupportedMessageError ? error.closeCode! : 0;
  const onError = ep.onError;
  if (onError === null) {
    if (error instanceof TransportError) {
      // ws has already answered the peer's protocol error with the RFC close code.
      host.logger.debug({ err: error, session: session.id }, `${ep.name}: connection failed`);
      return undefined;
    }
    const code = own?.closeCode !== undefined && own.closeCode !== CloseCodes.CLOSED_ABNORMALLY ? own.closeCode : CloseCodes.UNEXPECTED_CONDITION;
    host.logger.warn({ err: error, handler, session: session.id }, `${ep.name}: closing session with ${code} (no @OnError)`);
    reportUnhandled(host, error, handler);
    session.closeWith(code, reasonFor(code));
    return undefined;
  }
  // A failed @OnOpen that @OnError could not handle leaves a session its endpoint never set up: close it.
  const unhandled = failedIn !== null && failedIn === ep.onOpen ? (): void => session.closeWith(CloseCodes.UNEXPECTED_CONDITION, reasonFor(CloseCodes.UNEXPECTED_CONDITION)) : undefined;
  let result: unknown;
  try {
    result = host.callOnError(error);
  } catch (thrown) {
    logHandlerFailure(host, onError, thrown);
    unhandled?.();
  }
  if (closeAfter) session.closeWith(closeAfter, reasonFor(closeAfter));
  if (isThenable(result)) {
    return Promise.resolve(result).catch((e: unknown) => {
      logHandlerFailure(host, onError, e);
      unhandled?.();
    });
  }
  return undefined;
}

/**
 * @OnClose threw or rejected: @OnError hears of it (spec WSC-4.5-3), then it is logged. The session is
 * already closed and @OnClose is not run again. Returns @OnError's promise, if any (its failure is logged).
 */
export function routeCloseFailure(host: ErrorHost, raw: unknown): unknown {
  const ep = host.endpoint;
  const onClose = ep.onClose!;
  const onError = ep.onError;
  let result: unknown;
  if (onError !== null && !host.finished) {
    try {
      result = host.callOnError(deliverable(onClose.label, thrownOf(raw)));
    } catch (thrown) {
      logHandlerFailure(host, onError, thrown);
    }
  }
  logHandlerFailure(host, onClose, raw);
  if (isThenable(result)) return Promise.resolve(result).catch((e: unknown) => logHandlerFailure(host, onError!, e));
  return undefined;
}

/**
 * An undecodable message: answered per the endpoint's policy (reply / close), then @OnError. `text`: it
 * came as a text message, so the error's payload is its text (the spec's DecodeException carries the
 * String), a binary message's payload stays the bytes.
 */
export function routeUndecodable(host: ErrorHost, raw: unknown, data: Buffer, text: boolean): unknown {
  const error = asDecodeError(raw, data);
  if (!(error instanceof DecodeError)) return host.fail(error);
  // Only a payload the framework set (the received buffer itself): a decoder's own DecodeError is left as made.
  if (text && error.payload === data) (error as { payload: string | Buffer }).payload = data.toString("utf8");
  const ep = host.endpoint;
  const session = host.session;
  const { reply, closeCode } = answerInvalidMessage(error, ep.replies);
  if (reply !== null) session.submit(OUT.TEXT, reply, true, undefined, undefined);
  if (error.reason === DecodeReasons.MESSAGE_TOO_BIG) {
    session.closeWith(CloseCodes.TOO_BIG, truncateUtf8(error.message, MAX_REASON_BYTES));
    return undefined;
  }
  if (ep.onError === null) {
    // The error reply already told the peer; without one the session must not go on silently.
    const code = closeCode || (reply === null ? (error.closeCode ?? CloseCodes.NOT_CONSISTENT) : 0);
    host.logger.debug({ err: error, session: session.id }, `${ep.name}: invalid message (${error.reason})`);
    if (code) session.closeWith(code, reasonFor(code));
    return undefined;
  }
  const result = host.fail(error);
  if (closeCode === 0) return result;
  if (isThenable(result)) return Promise.resolve(result).then(() => session.closeWith(closeCode, reasonFor(closeCode)));
  session.closeWith(closeCode, reasonFor(closeCode));
  return undefined;
}

/** Logs a failure of @OnError or @OnClose with the thrown value as it was and the handler's name (and tells the `onError` hook). */
export function logHandlerFailure(host: ErrorHost, h: CompiledHandler, error: unknown): void {
  const err = deliverable(h.label, thrownOf(error));
  host.logger.error({ err, handler: h.label, session: host.session.id }, `${h.label} threw`);
  reportUnhandled(host, err, h.label);
}

function asDecodeError(error: unknown, data: Buffer): WebSocketEndpointError {
  if (error instanceof WebSocketEndpointError) return error;
  return new DecodeError("DECODE_FAILED", `The message could not be decoded: ${(error as Error)?.message ?? String(error)}`, data, { cause: error });
}

/** The reason text sent with a close code: generic, so nothing internal reaches the peer. */
function reasonFor(code: number): string {
  switch (code) {
    case CloseCodes.CANNOT_ACCEPT:
      return "message type not accepted";
    case CloseCodes.NOT_CONSISTENT:
      return "invalid message";
    case CloseCodes.VIOLATED_POLICY:
      return "policy violation";
    case CloseCodes.TOO_BIG:
      return "message too big";
    default:
      return "internal error";
  }
}

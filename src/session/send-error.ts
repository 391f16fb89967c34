import { SessionClosedError, TransportError, WebSocketEndpointError } from "../errors.js";
import type { Transport } from "../transport/transport.js";

/** What the classification reads of the transport a failed write went to. */
export type SendState = Pick<Transport, "isOpen">;

/**
 * Maps a raw write error to the typed error users see. Decided by the state of the transport, not by the
 * wording of the error (ws says "WebSocket is not open: readyState 2 (CLOSING)", other transports say
 * other things): a transport that is no longer open means the session is closed; a write that failed on
 * an open transport is a socket failure. Errors of this library pass through unchanged.
 */
export function toSendError(error: Error, transport: SendState): Error {
  if (error instanceof WebSocketEndpointError) return error;
  if (!transport.isOpen) return new SessionClosedError(undefined, error);
  return new TransportError(`The socket failed while sending: ${error.message}`, error);
}

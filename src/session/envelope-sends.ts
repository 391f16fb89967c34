import { MAX_TIMER_MS } from "../util/check-options.js";
import type { MessageProtocol } from "./message-protocol.js";

// Argument checks of `session.send` / `session.request`: misuse throws at the call, like the Basic remote's.

/**
 * Checks a message type against the endpoint's contract (`request`: it must be one of its requests);
 * returns the session's protocol.
 */
export function checkMessageType(protocol: MessageProtocol | null, method: "send" | "request", type: unknown): MessageProtocol {
  if (protocol === null) throw new TypeError(`session.${method}: this session was not opened by an endpoint (no envelope settings).`);
  const p = protocol;
  if (typeof type !== "string" || type.length === 0) throw new TypeError(`session.${method}: type must be a non-empty string; got ${JSON.stringify(type) ?? String(type)}.`);
  const known = p.serverMessages;
  if (known === null) return p;
  const isRequest = known.get(type);
  if (isRequest === undefined) {
    throw new TypeError(`session.${method}(${JSON.stringify(type)}): the endpoint's contract has no server message of that type; add it to the contract's server section (known: ${[...known.keys()].join(", ") || "none"}).`);
  }
  if (method === "request" && !isRequest) throw new TypeError(`session.request(${JSON.stringify(type)}): the contract declares no reply for it; give it a reply in the contract, or use session.send.`);
  if (method === "send" && isRequest) throw new TypeError(`session.send(${JSON.stringify(type)}): the contract declares it as a request (it has a reply); use session.request.`);
  return p;
}

/**
 * The text of a push, or the encoder's failure: that is the send's outcome, as with
 * `getAsyncRemote().sendObject`, while misuse (a payload that is no object) throws.
 */
export function encodePush(p: MessageProtocol, type: string, payload: unknown): string | Error {
  try {
    return p.encode(type, undefined, payload);
  } catch (error) {
    if (error instanceof TypeError) throw error;
    return error instanceof Error ? error : new TypeError(String(error));
  }
}

/** The timeout of one request: the option, or the endpoint's `requestTimeout`. */
export function requestTimeoutOf(p: MessageProtocol, options: { timeout?: number | undefined } | undefined): number {
  if (p.idField === null) throw new TypeError("session.request: this endpoint's envelope.idField is null, so no reply could be matched; keep the default \"id\" (or another field name).");
  const t = options?.timeout;
  if (t === undefined) return p.requestTimeout;
  if (typeof t !== "number" || !Number.isInteger(t) || t < 1 || t > MAX_TIMER_MS) {
    throw new RangeError(`session.request: timeout must be a positive integer of ms up to ${MAX_TIMER_MS}; got ${String(t)}.`);
  }
  return t;
}

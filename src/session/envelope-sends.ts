import { MAX_TIMER_MS } from "../util/check-options.js";
import type { MessageProtocol } from "./message-protocol.js";

// Argument checks of `session.send` / `session.request`: misuse throws at the call, like the Basic remote's.

/** Checks a message type against the endpoint's contract (`request`: it must be one of its requests). */
export function checkMessageType(p: MessageProtocol, method: "send" | "request", type: unknown): asserts type is string {
  if (typeof type !== "string" || type.length === 0) throw new TypeError(`session.${method}: type must be a non-empty string; got ${JSON.stringify(type) ?? String(type)}.`);
  const known = p.serverMessages;
  if (known === null) return;
  const isRequest = known.get(type);
  if (isRequest === undefined) {
    throw new TypeError(`session.${method}(${JSON.stringify(type)}): the endpoint's contract has no server message of that type; add it to the contract's server section (known: ${[...known.keys()].join(", ") || "none"}).`);
  }
  if (method === "request" && !isRequest) throw new TypeError(`session.request(${JSON.stringify(type)}): the contract declares no reply for it; give it a reply in the contract, or use session.send.`);
  if (method === "send" && isRequest) throw new TypeError(`session.send(${JSON.stringify(type)}): the contract declares it as a request (it has a reply); use session.request.`);
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

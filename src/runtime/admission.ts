import { isUtf8 } from "node:buffer";
import { decodeText } from "../session/text-decode.js";
import type { CompiledEndpointBase } from "../endpoint/compiled.js";
import { RATE } from "./rate-limit.js";
import { CloseCodes } from "../close-reason.js";
import type { WsSession } from "../session/ws-session.js";
import type { Transport } from "../transport/transport.js";

// Whether an inbound message is let in: the rate limit and the UTF-8 policy. The byte bounds of what
// waits in the queue (issue 18) are the InboundGate's (inbound-gate.ts). Module functions: the
// dispatcher's per-message path calls them with its own fields, and they allocate nothing.

/**
 * Where a text message is checked as UTF-8 (RFC 6455 §8.1). A `string` handler's message is checked
 * while it is decoded (`decodeValidText`): text without U+FFFD after a replacing decode was valid, so
 * only text containing one is checked again. That costs a quarter of a separate check. A message that
 * has to wait behind a running handler is checked on arrival: an invalid one must stop everything read
 * after it.
 */
export const TEXT_CHECK = { DONE: 0, IN_DECODE: 1, ON_ARRIVAL: 2 } as const;
export type TextCheck = (typeof TEXT_CHECK)[keyof typeof TEXT_CHECK];

/** The UTF-8 policy of a session: the transport checked already, or where the dispatcher checks. */
export function textCheckFor(endpoint: CompiledEndpointBase, transport: Transport): TextCheck {
  if (transport.textChecked) return TEXT_CHECK.DONE;
  return endpoint.onText?.direct?.decode === decodeText ? TEXT_CHECK.IN_DECODE : TEXT_CHECK.ON_ARRIVAL;
}

/** A text message checked on arrival (it waits behind a running handler, or is not decoded as a string) and not UTF-8. */
export function invalidOnArrival(check: TextCheck, busy: boolean, data: Buffer, isBinary: boolean): boolean {
  return !isBinary && check !== TEXT_CHECK.DONE && (busy || check === TEXT_CHECK.ON_ARRIVAL) && !isUtf8(data);
}

/** Whoever runs the session's jobs: a rate-limit close waits until they ran. */
export interface IdleWaitable {
  whenIdle(): Promise<void>;
}

/**
 * Asks the session's rate limiter (set: call only when `s.rateLimiter` is not null) whether one more
 * message is admitted. A refused message is dropped; the `"close"` policy also closes with 1008.
 */
export function admitByRate(s: WsSession, jobs: IdleWaitable): boolean {
  const verdict = s.rateLimiter!.admit(s);
  if (verdict === RATE.ADMIT) return true;
  // Messages admitted before the limit was hit are handled (and answered) before the close frame.
  if (verdict === RATE.CLOSE) void jobs.whenIdle().then(() => s.closeWith(CloseCodes.VIOLATED_POLICY, "rate limit exceeded"));
  return false;
}

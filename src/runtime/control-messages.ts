import type { LivenessFrames } from "../endpoint/compiled.js";
import { OUT } from "../session/outbound-entry.js";
import type { WsSession } from "../session/ws-session.js";

/**
 * Takes the protocol's own text messages before they are queued, parsed or dispatched: a liveness `$ping`
 * (exact bytes, answered with `$pong` at once, even while a handler holds the queue) and the peer's
 * `$reply` to a waiting `session.request` (matched here, since the handler awaiting it holds the queue).
 * Called only for endpoints with `liveness` or sessions that made a request. True: the message was taken.
 */
export function takeControlMessage(s: WsSession, liveness: LivenessFrames | null, data: Buffer): boolean {
  if (liveness !== null) {
    const pings = liveness.pings;
    for (let i = 0; i < pings.length; i++) {
      const ping = pings[i]!;
      if (data.length === ping.length && data.equals(ping)) {
        // Refused only when the session is closing: then there is nobody to answer.
        s.submit(OUT.TEXT, liveness.pongs[i]!, true, undefined, undefined);
        return true;
      }
    }
  }
  return s.requests !== null && s.requests.take(data);
}

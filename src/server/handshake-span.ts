import type { IncomingMessage } from "node:http";
import type { CompiledEndpoint } from "../endpoint/compiled.js";
import { SPAN_KIND, type OtelSpan, type Tracing } from "../metrics/tracing.js";

/** The handshake's span rides on the upgrade request (no closure or map entry per connection, T7). */
export const HANDSHAKE_SPAN = Symbol("ws-endpoints:handshake-span");

/** An upgrade request that may carry its handshake's span. */
export interface SpanCarrier {
  [HANDSHAKE_SPAN]?: OtelSpan;
}

/** Starts the handshake's span (tracing on): a child of the trace the request's headers carry, if any. */
export function startHandshakeSpan(tracing: Tracing, req: IncomingMessage & SpanCarrier, ep: CompiledEndpoint): void {
  req[HANDSHAKE_SPAN] = tracing.start(
    "ws.handshake",
    SPAN_KIND.SERVER,
    { "ws.endpoint": ep.name, "ws.path_template": ep.template.source },
    tracing.fromHeaders(req.headers),
  );
}

/** Ends the handshake's span, if any, with the HTTP status answered (101: accepted; 0: the peer left). */
export function endHandshakeSpan(req: SpanCarrier, status: number, sessionId?: string): void {
  const span = req[HANDSHAKE_SPAN];
  if (span === undefined) return;
  req[HANDSHAKE_SPAN] = undefined;
  span.setAttribute("http.response.status_code", status);
  span.setAttribute("ws.outcome", status === 101 ? "accepted" : "refused");
  if (sessionId !== undefined) span.setAttribute("ws.session_id", sessionId);
  span.end();
}

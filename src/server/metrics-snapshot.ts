import type { EndpointServer } from "./endpoint-server.js";
import type { WsSession } from "../session/ws-session.js";
import type { Session } from "../session/session.js";
import { latencySnapshot, type EndpointMetrics, type ServerMetrics } from "../metrics/metrics.js";

/** Reads every counter and gauge of a server into plain data. Runs per scrape, never per message. */
export function metricsSnapshot(server: EndpointServer): ServerMetrics {
  const endpoints: Record<string, EndpointMetrics> = {};
  for (const ep of server.endpoints) {
    const c = server.metrics.of(ep);
    let queued = 0;
    let buffered = 0;
    for (const s of server.openSessionsOf(ep) as ReadonlySet<Session> as ReadonlySet<WsSession>) {
      queued += s.outbound.depth;
      buffered += s.transport.bufferedAmount;
    }
    endpoints[ep.template.source] = {
      endpoint: ep.name,
      openSessions: server.openSessionsOf(ep).size,
      handshakesAccepted: c.handshakesAccepted,
      messagesIn: c.messagesIn,
      bytesIn: c.bytesIn,
      messagesOut: c.messagesOut,
      bytesOut: c.bytesOut,
      decodeErrors: c.decodeErrors,
      closes: Object.fromEntries(c.closes),
      outboundQueued: queued,
      outboundBufferedBytes: buffered,
      outboundDropped: c.outboundDropped,
      handlerLatency: latencySnapshot(c),
    };
  }
  const c = server.recovery.counters;
  const s = server.recovery.store.stats();
  const recovery = {
    recovered: c.recovered, replayed: c.replayed, refused: { ...c.refused }, parkedTotal: c.parked, parkedNow: server.recovery.parkedNow, expired: c.expired,
    storeSessions: s.sessions, storeParked: s.parked, storeMessages: s.messages, storeBytes: s.bytes, storeMaxBytes: s.maxBytes, storeMaxSessions: s.maxSessions,
    trimmed: s.trimmed, evicted: s.evicted, storeFailures: s.failures,
  };
  return { endpoints, handshakesRejected: Object.fromEntries(server.metrics.rejected), inboundQueuedBytes: server.inboundBudget.used, recovery };
}

import { createRequire } from "node:module";
import { InvalidOptionsError } from "../errors.js";
import type { ServerMetrics } from "./metrics.js";

/** The part of a prom-client `Registry` this module uses. */
export interface PrometheusRegistry {
  /** Adds a metric (prom-client `Registry.registerMetric`). */
  registerMetric(metric: never): void;
  /** The exposition text of every registered metric. */
  metrics(): Promise<string>;
  /** Content-Type header for {@link PrometheusRegistry.metrics}' text. */
  readonly contentType: string;
}

/** Anything with a metrics snapshot: a `ServerHandle`. */
export interface MetricsSource {
  /** A current snapshot. */
  metrics(): ServerMetrics;
}

type Labels = Record<string, string>;
interface Value {
  value: number;
  labels: Labels;
  metricName?: string;
}
type MetricType = "counter" | "gauge" | "histogram";

const PREFIX = "ws_endpoints_";

/**
 * A prom-client compatible metric computed from the snapshot at scrape time, so the hot path never
 * touches prom-client. The registry only needs `name`, `help`, `type`, `get()` and `reset()`.
 */
function collector(name: string, help: string, type: MetricType, source: MetricsSource, values: (m: ServerMetrics) => Value[]): object {
  const metric = {
    name: PREFIX + name,
    help,
    type,
    aggregator: "sum",
    get: async () => ({ name: metric.name, help, type, aggregator: "sum", values: values(source.metrics()) }),
    reset: () => {},
  };
  return metric;
}

function perEndpoint(m: ServerMetrics, pick: (e: ServerMetrics["endpoints"][string]) => number): Value[] {
  return Object.entries(m.endpoints).map(([path, e]) => ({ value: pick(e), labels: { endpoint: path } }));
}

function loadRegistry(): PrometheusRegistry {
  let client: { Registry: new () => PrometheusRegistry };
  try {
    client = createRequire(__filename)("prom-client") as typeof client;
  } catch {
    throw new InvalidOptionsError(
      "Prometheus metrics need the optional peer dependency prom-client: run `npm install prom-client`, or remove metrics.prometheusPath.",
    );
  }
  return new client.Registry();
}

/**
 * Registers the server's metrics with a prom-client registry (default: a new one) and returns it.
 * Values are read from `source.metrics()` on every scrape; nothing is added to the per-message path.
 *
 * Metric names start with `ws_endpoints_` and carry an `endpoint` label (the path template):
 * `open_sessions`, `handshakes_accepted_total`, `handshakes_rejected_total{status}`,
 * `messages_received_total`, `received_bytes_total`, `messages_sent_total`, `sent_bytes_total`,
 * `decode_errors_total`, `closes_total{code}`, `outbound_queued`, `outbound_buffered_bytes`,
 * `outbound_dropped_total`, `handler_duration_seconds` (histogram, with `metrics: { latency: true }`), and
 * session recovery's `recovery_*` figures (recovered, replayed, refused by reason, parked, store bytes,
 * messages and sessions with their bounds, trimmed, evicted, store failures).
 *
 * @example
 * ```ts
 * import express from "express";
 * import { register } from "prom-client";
 * const app = express();
 * const server = app.listen(8080);
 * const handle = await bootstrap({ server, metrics: { latency: true } });
 * registerPrometheusMetrics(handle, register);
 * app.get("/metrics", async (_req, res) => res.type(register.contentType).send(await register.metrics()));
 * ```
 * @throws InvalidOptionsError when no registry is given and prom-client is not installed.
 */
export function registerPrometheusMetrics<R extends PrometheusRegistry>(source: MetricsSource, registry?: R): R {
  const r = (registry ?? loadRegistry()) as R;
  const add = (name: string, help: string, type: MetricType, values: (m: ServerMetrics) => Value[]): void =>
    r.registerMetric(collector(name, help, type, source, values) as never);
  add("open_sessions", "WebSocket sessions open now.", "gauge", (m) => perEndpoint(m, (e) => e.openSessions));
  add("handshakes_accepted_total", "WebSocket upgrades accepted.", "counter", (m) => perEndpoint(m, (e) => e.handshakesAccepted));
  add("handshakes_rejected_total", "WebSocket upgrades refused, by HTTP status.", "counter", (m) =>
    Object.entries(m.handshakesRejected).map(([status, n]) => ({ value: n, labels: { status } })),
  );
  add("messages_received_total", "Data messages received.", "counter", (m) => perEndpoint(m, (e) => e.messagesIn));
  add("received_bytes_total", "Payload bytes received.", "counter", (m) => perEndpoint(m, (e) => e.bytesIn));
  add("messages_sent_total", "Data messages handed to sockets.", "counter", (m) => perEndpoint(m, (e) => e.messagesOut));
  add("sent_bytes_total", "Payload bytes handed to sockets.", "counter", (m) => perEndpoint(m, (e) => e.bytesOut));
  add("decode_errors_total", "Messages that failed to decode or validate.", "counter", (m) => perEndpoint(m, (e) => e.decodeErrors));
  add("closes_total", "Sessions closed, by close code.", "counter", (m) =>
    Object.entries(m.endpoints).flatMap(([path, e]) => Object.entries(e.closes).map(([code, n]) => ({ value: n, labels: { endpoint: path, code } }))),
  );
  add("outbound_queued", "Outbound messages queued, not yet handed to sockets.", "gauge", (m) => perEndpoint(m, (e) => e.outboundQueued));
  add("outbound_buffered_bytes", "Bytes buffered in sockets, not yet sent.", "gauge", (m) => perEndpoint(m, (e) => e.outboundBufferedBytes));
  add("outbound_dropped_total", "Outbound messages never written.", "counter", (m) => perEndpoint(m, (e) => e.outboundDropped));
  add("inbound_queued_bytes", "Bytes of inbound messages waiting behind running handlers (bounded by inboundBudget).", "gauge", (m) => [{ value: m.inboundQueuedBytes, labels: {} }]);
  const recovery = (pick: (r: ServerMetrics["recovery"]) => number) => (m: ServerMetrics): Value[] => [{ value: pick(m.recovery), labels: {} }];
  add("recovery_recovered_total", "Sessions recovered by their client.", "counter", recovery((r) => r.recovered));
  add("recovery_replayed_total", "Messages replayed to recovered sessions.", "counter", recovery((r) => r.replayed));
  add("recovery_refused_total", "Recoveries refused (a new session instead), by reason.", "counter", (m) =>
    Object.entries(m.recovery.refused).map(([reason, n]) => ({ value: n, labels: { reason } })),
  );
  add("recovery_parked", "Dropped sessions parked on this server, waiting for their client.", "gauge", recovery((r) => r.parkedNow));
  add("recovery_expired_total", "Parked sessions whose recovery window passed.", "counter", recovery((r) => r.expired));
  add("recovery_store_bytes", "Bytes of messages the recovery store holds for replay.", "gauge", recovery((r) => r.storeBytes));
  add("recovery_store_max_bytes", "The recovery store's byte bound (0: bounded per session only).", "gauge", recovery((r) => r.storeMaxBytes));
  add("recovery_store_messages", "Messages the recovery store holds for replay.", "gauge", recovery((r) => r.storeMessages));
  add("recovery_store_sessions", "Sessions the recovery store holds (open and parked).", "gauge", recovery((r) => r.storeSessions));
  add("recovery_store_max_sessions", "The recovery store's session bound (0: none).", "gauge", recovery((r) => r.storeMaxSessions));
  add("recovery_trimmed_total", "Messages trimmed from the recovery store by its bounds.", "counter", recovery((r) => r.trimmed));
  add("recovery_evicted_total", "Sessions evicted from the recovery store by its bounds.", "counter", recovery((r) => r.evicted));
  add("recovery_store_failures_total", "Recovery store writes that failed.", "counter", recovery((r) => r.storeFailures));
  add("handler_duration_seconds", "@OnMessage handler duration.", "histogram", (m) =>
    Object.entries(m.endpoints).flatMap(([path, e]) => {
      const h = e.handlerLatency;
      if (h === null) return [];
      const name = `${PREFIX}handler_duration_seconds`;
      return [
        ...h.buckets.map((b) => ({ value: b.count, labels: { endpoint: path, le: b.le === Infinity ? "+Inf" : String(b.le) }, metricName: `${name}_bucket` })),
        { value: h.sum, labels: { endpoint: path }, metricName: `${name}_sum` },
        { value: h.count, labels: { endpoint: path }, metricName: `${name}_count` },
      ];
    }),
  );
  return r;
}

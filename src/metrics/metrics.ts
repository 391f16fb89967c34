import { performance } from "node:perf_hooks";

/** Upper bounds (seconds) of the handler latency histogram buckets; the last bucket is +Inf. */
export const LATENCY_BUCKETS = Object.freeze([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const);
// What observe() searches on every message: a frozen array's indexed loads are not inlined by Node 20's
// optimizing compiler, a plain copy's are.
const BUCKETS: readonly number[] = [...LATENCY_BUCKETS];

/**
 * Plain integer counters of one endpoint. The hot path increments fields directly: no maps, no
 * closures, no allocation per message.
 * @hidden
 */
export class EndpointCounters {
  handshakesAccepted = 0;
  messagesIn = 0;
  bytesIn = 0;
  messagesOut = 0;
  bytesOut = 0;
  decodeErrors = 0;
  outboundDropped = 0;
  /** Close codes by frequency; a session closes once, so this is off the per-message path. */
  readonly closes = new Map<number, number>();
  /** Bucket counts, `LATENCY_BUCKETS.length + 1` long; `null` unless latency measurement is on. */
  readonly latency: number[] | null;
  latencySum = 0;
  latencyCount = 0;
  /** Extra observer (Prometheus histogram) called with seconds; `null` when nobody listens. */
  latencyObserver: ((seconds: number) => void) | null = null;

  constructor(measureLatency: boolean) {
    this.latency = measureLatency ? new Array<number>(LATENCY_BUCKETS.length + 1).fill(0) : null;
  }

  closed(code: number): void {
    this.closes.set(code, (this.closes.get(code) ?? 0) + 1);
  }

  /** Records one handler run that started at `startedMs` (from {@link now}). */
  observe(startedMs: number): void {
    const seconds = (performance.now() - startedMs) / 1000;
    const b = this.latency!;
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    b[i]!++;
    this.latencySum += seconds;
    this.latencyCount++;
    if (this.latencyObserver !== null) this.latencyObserver(seconds);
  }
}

/**
 * All counters of one server: per endpoint, plus refused handshakes by HTTP status.
 * @hidden
 */
export class MetricsRecorder {
  readonly rejected = new Map<number, number>();
  private readonly byEndpoint = new Map<object, EndpointCounters>();

  constructor(readonly measureLatency: boolean) {}

  /** The counters of an endpoint (created on first use). */
  of(endpoint: object): EndpointCounters {
    let c = this.byEndpoint.get(endpoint);
    if (c === undefined) {
      c = new EndpointCounters(this.measureLatency);
      this.byEndpoint.set(endpoint, c);
    }
    return c;
  }

  refused(status: number): void {
    this.rejected.set(status, (this.rejected.get(status) ?? 0) + 1);
  }
}

/** Counters for code paths that have no server (unit tests of a bare dispatcher): counted, never read. */
export const DISCARDED_COUNTERS = new EndpointCounters(false);

/** A monotonic clock in ms, read only when latency is measured. */
export const now = (): number => performance.now();

/** One bucket of {@link HandlerLatency}: how many handler runs took at most `le` seconds. */
export interface LatencyBucket {
  /** Upper bound in seconds (`Infinity` for the last bucket). */
  readonly le: number;
  /** Runs in this bucket or a lower one (cumulative, as Prometheus defines it). */
  readonly count: number;
}

/** Handler latency histogram of an endpoint (`@OnMessage` runs, including awaited promises). */
export interface HandlerLatency {
  /** Cumulative buckets, upper bounds ascending, the last one `Infinity`. */
  readonly buckets: readonly LatencyBucket[];
  /** Number of handler runs measured. */
  readonly count: number;
  /** Total time of those runs, in seconds. */
  readonly sum: number;
}

/** Counters of one endpoint in a {@link ServerMetrics} snapshot. */
export interface EndpointMetrics {
  /** The endpoint class name. */
  readonly endpoint: string;
  /** Sessions open right now. */
  readonly openSessions: number;
  /** Handshakes accepted since start. */
  readonly handshakesAccepted: number;
  /** Data messages received (text and binary). */
  readonly messagesIn: number;
  /** Payload bytes received. */
  readonly bytesIn: number;
  /** Data messages handed to sockets (text, binary, broadcast frames). */
  readonly messagesOut: number;
  /** Payload bytes handed to sockets (UTF-8 bytes for text). */
  readonly bytesOut: number;
  /** Messages that failed to decode or validate. */
  readonly decodeErrors: number;
  /** Sessions closed, by close code (`1000`, `1001`, `1006`, ...). */
  readonly closes: Readonly<Record<number, number>>;
  /** Outbound messages queued in sessions right now, not yet handed to their sockets. */
  readonly outboundQueued: number;
  /** Bytes written to sockets but not yet sent to the network (ws `bufferedAmount`), summed. */
  readonly outboundBufferedBytes: number;
  /** Outbound messages that were never written (session closed first, or dropped by the queue policy). */
  readonly outboundDropped: number;
  /** `null` unless `metrics: { latency: true }` was passed to bootstrap. */
  readonly handlerLatency: HandlerLatency | null;
}

/** A point-in-time snapshot returned by `ServerHandle.metrics()`. Plain data: safe to JSON-serialise. */
export interface ServerMetrics {
  /** Per endpoint, keyed by its path template (e.g. `/chat/{room}`). */
  readonly endpoints: Readonly<Record<string, EndpointMetrics>>;
  /** Upgrade requests refused before any endpoint code ran, by HTTP status (404, 400, 401, 403, 429, 503, ...). */
  readonly handshakesRejected: Readonly<Record<number, number>>;
  /**
   * Bytes of inbound messages waiting behind running handlers, over all sessions: what the server's
   * `inboundBudget` bounds.
   */
  readonly inboundQueuedBytes: number;
  /** Session recovery (endpoints with `recovery`): this server's counters and its store's figures and bounds. */
  readonly recovery: RecoveryMetrics;
}

/** Session recovery figures of one server (docs/reliability.md, "Session recovery"). */
export interface RecoveryMetrics {
  /** Sessions given back to their client, and the messages replayed to them. */
  readonly recovered: number;
  readonly replayed: number;
  /** Recoveries refused (the client got a new session), by reason. */
  readonly refused: Readonly<Record<string, number>>;
  /** Sessions that dropped and were parked here, in all; those parked here now; those whose window passed. */
  readonly parkedTotal: number;
  readonly parkedNow: number;
  readonly expired: number;
  /** The store: sessions and parked sessions it holds, messages and bytes held for replay, and its bounds (0: none of its own). */
  readonly storeSessions: number;
  readonly storeParked: number;
  readonly storeMessages: number;
  readonly storeBytes: number;
  readonly storeMaxBytes: number;
  readonly storeMaxSessions: number;
  /** Messages trimmed and sessions evicted by the bounds; store writes that failed (Redis unreachable). */
  readonly trimmed: number;
  readonly evicted: number;
  readonly storeFailures: number;
}

/** Metrics options of `bootstrap`. */
export interface MetricsOptions {
  /**
   * Measure `@OnMessage` handler latency into a histogram (default false). Costs one monotonic clock
   * read before and after each handler.
   */
  latency?: boolean | undefined;
  /**
   * Serve Prometheus text exposition on this path of the server bootstrap starts (e.g. `"/metrics"`).
   * Needs the optional peer dependency `prom-client`. Not with `server`: there, use
   * `registerPrometheusMetrics(handle, registry)` and mount `registry.metrics()` on your own route.
   */
  prometheusPath?: string | undefined;
}

/** Histogram snapshot from raw bucket counts. */
export function latencySnapshot(c: EndpointCounters): HandlerLatency | null {
  if (c.latency === null) return null;
  let cumulative = 0;
  const buckets: LatencyBucket[] = [];
  for (let i = 0; i <= LATENCY_BUCKETS.length; i++) {
    cumulative += c.latency[i]!;
    buckets.push({ le: i < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[i]! : Infinity, count: cumulative });
  }
  return { buckets, count: c.latencyCount, sum: c.latencySum };
}

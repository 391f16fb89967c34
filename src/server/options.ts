import type { Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import type { EndpointClass } from "../../decorators/metadata.js";
import { checkCodecOptions, type CodecOptions } from "../codec/codec-options.js";
import { InvalidOptionsError } from "../errors.js";
import type { Configurator } from "../handshake/configurator.js";
import { checkAllowedOrigins, type AllowedOrigin } from "../handshake/origin.js";
import { checkDeflate, type PerMessageDeflateOptions } from "../handshake/deflate.js";
import type { ForwardedHeader } from "../handshake/forwarded-header.js";
import { checkTrustProxy, type TrustProxy } from "../handshake/trust-proxy.js";
import type { Broker } from "../broker/broker.js";
import type { UserIdSource } from "../broker/rooms.js";
import type { RecoveryStore } from "../recovery/store.js";
import { defaultLogger, type Logger } from "../metrics/logger.js";
import type { MetricsOptions } from "../metrics/metrics.js";
import { checkOutbound, type OutboundOptions } from "../session/outbound-options.js";
import { checkBoolean, checkDuration, checkInteger, checkKnownKeys, MAX_TIMER_MS } from "../util/check-options.js";
import { checkRateLimit, type RateLimitOptions } from "../runtime/rate-limit.js";
import { Tracing } from "../metrics/tracing.js";
import type { ErrorFilterLike, GuardLike, GuardRefusal, InterceptorLike, UnhandledErrorHook } from "../pipeline/types.js";

/** Options of {@link bootstrap}. Every field is optional; defaults are safe for production. */
export interface BootstrapOptions {
  /** Endpoint classes to serve. Default: every class decorated with `@ServerEndpoint` that was imported. */
  endpoints?: readonly EndpointClass[] | undefined;
  /** Port of the server bootstrap starts (default 8080; 0 picks a free port). Not with `server`. */
  port?: number | undefined;
  /** Host to listen on (default: all interfaces). Not with `server`. */
  host?: string | undefined;
  /** An existing HTTP(S) server to attach to, e.g. Express's or Fastify's; bootstrap does not listen on it. */
  server?: HttpServer | HttpsServer | undefined;
  /** Largest inbound message in bytes unless an endpoint says otherwise (default 1 MiB). */
  maxMessageSize?: number | undefined;
  /** How long `close()` waits for close handshakes before terminating connections, in ms (default 5000). */
  closeTimeout?: number | undefined;
  /** Coalesce each session's writes until the end of the event-loop turn (default true). */
  coalesceWrites?: boolean | undefined;
  /** Inbound messages queued per session before reading from its socket pauses (default 1024). */
  inboundQueueLimit?: number | undefined;
  /**
   * Bytes of inbound messages queued per session (waiting behind a running handler) before reading from
   * its socket pauses (default 4 MiB). Reading resumes when half of them are handled.
   */
  inboundQueueBytes?: number | undefined;
  /**
   * Bytes of inbound messages queued across all sessions of the server (default 64 MiB). A session that
   * queues past it stops reading until the total falls to half; sessions whose messages are handled as
   * they arrive are not affected. At least `inboundQueueBytes`.
   */
  inboundBudget?: number | undefined;
  /**
   * Longest a lifecycle method's promise may hold its session's queue, in ms (default 30000; 0 disables).
   * A handler still pending then is reported to `@OnError` as a `HandlerTimeoutError` and the session moves
   * on to its next message (its late result is ignored). Checked by one coarse timer per server, so a
   * handler is abandoned between the timeout and a quarter of it (at most 1 s) later.
   */
  handlerTimeout?: number | undefined;
  /** Where the framework logs (pino-compatible). Default: warnings and errors to stderr. */
  logger?: Logger | undefined;
  /** Parent DI container (default: tsyringe's root container). */
  container?: DependencyContainer | undefined;
  /** Handler latency histogram and Prometheus exposition (both off by default; counters are always kept). */
  metrics?: MetricsOptions | undefined;
  /** Decoders, encoders, DTO validation, invalid-message policy and envelope fields for every endpoint. */
  codecs?: CodecOptions | undefined;
  /**
   * Handshake hooks for every endpoint without its own (`Configurator` subclass or instance): origin
   * check, authentication, response headers, subprotocol choice, instance creation.
   */
  configurator?: Configurator | (new () => Configurator) | undefined;
  /**
   * Browser origins allowed besides the server's own host: exact (`"https://app.example.com"`),
   * subdomain patterns (`"https://*.example.com"`), RegExps, or `"*"` for any. Requests without an
   * Origin header (non-browser clients) are always allowed by the default check.
   */
  allowedOrigins?: readonly AllowedOrigin[] | undefined;
  /**
   * Upper bound in ms for a handshake: receiving the request headers (on the server bootstrap starts:
   * Node's `headersTimeout`, answered 408) and running the async hooks (answered 503). Default 10000.
   */
  handshakeTimeout?: number | undefined;
  /** Concurrent connections (and handshakes in progress) per server; more get 503. Default 10000. */
  maxConnections?: number | undefined;
  /** Concurrent connections per client IP (see `trustProxy`); more get 429. Default 1000. */
  maxConnectionsPerIp?: number | undefined;
  /**
   * Which proxies may tell the client's address (default false: none; the address is the TCP peer's).
   * Same values as Express and Fastify: `true`, a hop count, addresses / CIDR ranges / `"loopback"`,
   * `"linklocal"`, `"uniquelocal"`, or `(address, hop) => boolean`. The address found is
   * `session.getRemoteAddress()`, `HandshakeRequest.remoteAddress`, and the key of `maxConnectionsPerIp`.
   * Headers from peers that are not trusted are ignored.
   */
  trustProxy?: TrustProxy | undefined;
  /**
   * The header trusted proxies write the client address into: `"x-forwarded-for"` (default) or
   * `"forwarded"` (RFC 7239). Only that one is read, so a client cannot pass the other through.
   */
  forwardedHeader?: "x-forwarded-for" | "forwarded" | undefined;
  /** permessage-deflate: off by default; `true` or options to offer it with bounded zlib memory. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions | undefined;
  /** Ping every session this often, in ms; a peer that has not answered the previous ping is terminated (default 30000; 0 disables). */
  heartbeatInterval?: number | undefined;
  /** Close sessions idle this long (no message either way) with 1001, in ms (default 0: never). */
  maxIdleTimeout?: number | undefined;
  /** Per-session inbound message rate limit (default false: none). */
  rateLimit?: RateLimitOptions | false | undefined;
  /** Bounds and policy of each session's outbound queue. */
  outbound?: OutboundOptions | undefined;
  /** Basic sends not flushed within this many ms reject with SendTimeoutError (default 30000; 0: wait forever). */
  sendTimeout?: number | undefined;
  /**
   * Carries broadcasts, `sendToUser` and presence to other servers. Default: a private in-memory broker
   * (this server alone). Share one `MemoryBroker` between servers in one process, or give each server a
   * `RedisBroker` from `ws-endpoints/redis` on the same Redis to span processes and machines.
   */
  broker?: Broker | undefined;
  /** Where a session's user id comes from, for `sendToUser` and presence (default `"principal"`). */
  userId?: UserIdSource | undefined;
  /** This server's id in the cluster (default: a random UUID); letters, digits, `.`, `_`, `-`, at most 64. */
  nodeId?: string | undefined;
  /**
   * Guards run before every `@OnOpen` and `@OnMessage` handler of every endpoint, before the class's and
   * the method's own (`@Guard`). See docs/pipeline.md.
   */
  guards?: readonly GuardLike[] | undefined;
  /** Interceptors around every `@OnOpen` and `@OnMessage` handler, outermost, before the class's and method's (`@Intercept`). */
  interceptors?: readonly InterceptorLike[] | undefined;
  /** Error filters consulted after an endpoint's own (`@ErrorFilters`) and before `@OnError`. */
  errorFilters?: readonly ErrorFilterLike[] | undefined;
  /** Told of every error no filter and no `@OnError` handled, for logging and alerting. */
  onError?: UnhandledErrorHook | undefined;
  /**
   * How a message a guard refused is answered: `"reply"` (default) sends
   * `{"type":"error","code":"FORBIDDEN","errors":[]}` with the message's `id`, `"close"` closes with 1008.
   * A refused `@OnOpen` always closes with 1008.
   */
  guardRefusal?: GuardRefusal | undefined;
  /**
   * OpenTelemetry spans for handshakes, handled messages and broadcasts delivered from other nodes
   * (default false). Needs the optional peer `@opentelemetry/api`; see docs/observability.md.
   */
  tracing?: boolean | undefined;
  /**
   * Where recoverable sessions (endpoints with `recovery`) keep what they were sent. Default: a
   * `MemoryRecoveryStore` (this node, 64 MiB); `RedisRecoveryStore` from `ws-endpoints/redis` lets a
   * client recover its session on any node sharing the Redis.
   */
  recoveryStore?: RecoveryStore | undefined;
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  readonly endpoints: readonly EndpointClass[] | undefined;
  readonly port: number;
  readonly host: string | undefined;
  readonly server: HttpServer | HttpsServer | undefined;
  readonly maxMessageSize: number;
  readonly closeTimeout: number;
  readonly coalesceWrites: boolean;
  readonly inboundQueueLimit: number;
  readonly inboundQueueBytes: number;
  readonly inboundBudget: number;
  readonly handlerTimeout: number;
  readonly logger: Logger;
  readonly container: DependencyContainer;
  readonly metrics: Readonly<{ latency: boolean; prometheusPath: string | undefined }>;
  readonly codecs: Readonly<CodecOptions> | undefined;
  readonly configurator: Configurator | (new () => Configurator) | undefined;
  readonly allowedOrigins: readonly AllowedOrigin[];
  readonly handshakeTimeout: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  readonly trustProxy: TrustProxy;
  readonly forwardedHeader: ForwardedHeader;
  readonly perMessageDeflate: boolean | PerMessageDeflateOptions;
  readonly heartbeatInterval: number;
  readonly maxIdleTimeout: number;
  readonly rateLimit: RateLimitOptions | false;
  readonly outbound: Readonly<Required<OutboundOptions>>;
  readonly sendTimeout: number;
  readonly broker: Broker | undefined;
  readonly userId: UserIdSource;
  readonly nodeId: string | undefined;
  readonly guards: readonly GuardLike[];
  readonly interceptors: readonly InterceptorLike[];
  readonly errorFilters: readonly ErrorFilterLike[];
  readonly onError: UnhandledErrorHook | undefined;
  readonly guardRefusal: GuardRefusal;
  /** The tracer, when `tracing` is on. */
  readonly tracing: Tracing | null;
  readonly recoveryStore: RecoveryStore | undefined;
}

export const DEFAULTS = Object.freeze({
  port: 8080,
  maxMessageSize: 1024 * 1024,
  closeTimeout: 5000,
  coalesceWrites: true,
  inboundQueueLimit: 1024,
  inboundQueueBytes: 4 * 1024 * 1024,
  inboundBudget: 64 * 1024 * 1024,
  handshakeTimeout: 10_000,
  maxConnections: 10_000,
  maxConnectionsPerIp: 1000,
  perMessageDeflate: false,
  heartbeatInterval: 30_000,
  maxIdleTimeout: 0,
  rateLimit: false,
  outbound: Object.freeze({ maxMessages: 1024, maxBytes: 1024 * 1024, highWaterMark: 64 * 1024, policy: "await" as const }),
  sendTimeout: 30_000,
  handlerTimeout: 30_000,
});

// A Record over keyof, not a list: adding an option to BootstrapOptions without listing it here fails to compile.
const KNOWN: Readonly<Record<keyof BootstrapOptions, true>> = {
  endpoints: true, port: true, host: true, server: true, maxMessageSize: true, closeTimeout: true, coalesceWrites: true,
  inboundQueueLimit: true, inboundQueueBytes: true, inboundBudget: true, handlerTimeout: true, logger: true, container: true,
  codecs: true, metrics: true, configurator: true, allowedOrigins: true, handshakeTimeout: true, maxConnections: true,
  maxConnectionsPerIp: true, trustProxy: true, forwardedHeader: true, perMessageDeflate: true, heartbeatInterval: true, maxIdleTimeout: true, rateLimit: true,
  outbound: true, sendTimeout: true, broker: true, userId: true, nodeId: true, guards: true, interceptors: true,
  errorFilters: true, onError: true, guardRefusal: true, tracing: true, recoveryStore: true,
};

/** Validates once and freezes. @throws InvalidOptionsError naming every bad field. */
export function resolveOptions(options: BootstrapOptions = {}): ResolvedOptions {
  const problems: string[] = [];
  checkKnownKeys(problems, "", options, KNOWN);
  if (options.server !== undefined && (options.port !== undefined || options.host !== undefined)) {
    problems.push("pass either server (attach to an existing server) or port/host (bootstrap starts one), not both");
  }
  checkInteger(problems, "port", options.port, { min: 0, max: 65535 });
  if (options.endpoints !== undefined && !Array.isArray(options.endpoints)) problems.push("endpoints must be an array of classes");
  checkInteger(problems, "maxMessageSize", options.maxMessageSize);
  checkInteger(problems, "closeTimeout", options.closeTimeout, { min: 0, unit: "ms" });
  checkInteger(problems, "inboundQueueLimit", options.inboundQueueLimit);
  checkInteger(problems, "inboundQueueBytes", options.inboundQueueBytes);
  checkInteger(problems, "inboundBudget", options.inboundBudget);
  const queueBytes = options.inboundQueueBytes ?? DEFAULTS.inboundQueueBytes;
  if (typeof options.inboundBudget === "number" && typeof queueBytes === "number" && options.inboundBudget < queueBytes) {
    problems.push(`inboundBudget (${options.inboundBudget}) is below inboundQueueBytes (${queueBytes}); raise inboundBudget or lower inboundQueueBytes`);
  }
  checkDuration(problems, "handlerTimeout", options.handlerTimeout, { zeroDisables: true, max: MAX_TIMER_MS });
  checkBoolean(problems, "coalesceWrites", options.coalesceWrites);
  checkMetrics(options, problems);
  problems.push(...checkCodecOptions(options.codecs, "codecs"));
  checkDuration(problems, "handshakeTimeout", options.handshakeTimeout);
  checkInteger(problems, "maxConnections", options.maxConnections);
  checkInteger(problems, "maxConnectionsPerIp", options.maxConnectionsPerIp);
  checkDuration(problems, "heartbeatInterval", options.heartbeatInterval, { zeroDisables: true });
  checkDuration(problems, "maxIdleTimeout", options.maxIdleTimeout, { zeroDisables: true });
  checkDuration(problems, "sendTimeout", options.sendTimeout, { zeroDisables: true });
  const c = options.configurator as unknown;
  if (c !== undefined && typeof c !== "function" && (typeof c !== "object" || c === null)) problems.push("configurator must be a Configurator subclass or instance");
  problems.push(...checkAllowedOrigins(options.allowedOrigins, "allowedOrigins"));
  problems.push(...checkDeflate(options.perMessageDeflate, "perMessageDeflate"));
  problems.push(...checkTrustProxy(options.trustProxy, options.forwardedHeader));
  problems.push(...checkRateLimit(options.rateLimit, "rateLimit"));
  problems.push(...checkOutbound(options.outbound, "outbound"));
  if (typeof options.maxConnections === "number" && typeof options.maxConnectionsPerIp === "number" && options.maxConnectionsPerIp > options.maxConnections) {
    problems.push(`maxConnectionsPerIp (${options.maxConnectionsPerIp}) exceeds maxConnections (${options.maxConnections}); lower it or raise maxConnections`);
  }
  checkClusterOptions(options, problems);
  checkPipelineOptions(options, problems);
  if (problems.length > 0) throw new InvalidOptionsError(`Invalid bootstrap options: ${problems.join("; ")}.`);
  return Object.freeze({
    endpoints: options.endpoints,
    port: options.port ?? DEFAULTS.port,
    host: options.host,
    server: options.server,
    maxMessageSize: options.maxMessageSize ?? DEFAULTS.maxMessageSize,
    closeTimeout: options.closeTimeout ?? DEFAULTS.closeTimeout,
    coalesceWrites: options.coalesceWrites ?? DEFAULTS.coalesceWrites,
    inboundQueueLimit: options.inboundQueueLimit ?? DEFAULTS.inboundQueueLimit,
    inboundQueueBytes: options.inboundQueueBytes ?? DEFAULTS.inboundQueueBytes,
    inboundBudget: options.inboundBudget ?? DEFAULTS.inboundBudget,
    handlerTimeout: options.handlerTimeout ?? DEFAULTS.handlerTimeout,
    logger: options.logger ?? defaultLogger,
    container: options.container ?? rootContainer,
    metrics: Object.freeze({ latency: options.metrics?.latency ?? false, prometheusPath: options.metrics?.prometheusPath }),
    codecs: options.codecs === undefined ? undefined : Object.freeze({ ...options.codecs }),
    configurator: options.configurator,
    allowedOrigins: Object.freeze([...(options.allowedOrigins ?? [])]),
    handshakeTimeout: options.handshakeTimeout ?? DEFAULTS.handshakeTimeout,
    maxConnections: options.maxConnections ?? DEFAULTS.maxConnections,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? Math.min(DEFAULTS.maxConnectionsPerIp, options.maxConnections ?? Infinity),
    trustProxy: options.trustProxy ?? false,
    forwardedHeader: options.forwardedHeader ?? "x-forwarded-for",
    perMessageDeflate: options.perMessageDeflate ?? DEFAULTS.perMessageDeflate,
    heartbeatInterval: options.heartbeatInterval ?? DEFAULTS.heartbeatInterval,
    maxIdleTimeout: options.maxIdleTimeout ?? DEFAULTS.maxIdleTimeout,
    rateLimit: options.rateLimit ?? DEFAULTS.rateLimit,
    outbound: Object.freeze({ ...DEFAULTS.outbound, ...pickOutbound(options.outbound) }),
    sendTimeout: options.sendTimeout ?? DEFAULTS.sendTimeout,
    broker: options.broker,
    userId: options.userId ?? "principal",
    nodeId: options.nodeId,
    guards: Object.freeze([...(options.guards ?? [])]),
    interceptors: Object.freeze([...(options.interceptors ?? [])]),
    errorFilters: Object.freeze([...(options.errorFilters ?? [])]),
    onError: options.onError,
    guardRefusal: options.guardRefusal ?? "reply",
    // Loaded only when asked for: @opentelemetry/api is an optional peer (MissingPeerDependencyError).
    tracing: options.tracing === true ? Tracing.load() : null,
    recoveryStore: options.recoveryStore,
  });
}

function checkPipelineOptions(options: BootstrapOptions, problems: string[]): void {
  for (const key of ["guards", "interceptors", "errorFilters"] as const) {
    const list = options[key] as unknown;
    if (list === undefined) continue;
    if (!Array.isArray(list)) problems.push(`${key} must be an array, e.g. ${key}: [myGuard]`);
    else {
      const bad = list.findIndex((g) => typeof g !== "function" && (typeof g !== "object" || g === null));
      if (bad !== -1) problems.push(`${key}[${bad}] must be a function, an object or a class; got ${list[bad] === null ? "null" : typeof list[bad]}`);
    }
  }
  if (options.onError !== undefined && typeof options.onError !== "function") problems.push("onError must be a function (error, context) => void");
  const r = options.guardRefusal as unknown;
  if (r !== undefined && r !== "reply" && r !== "close") problems.push(`guardRefusal must be "reply" or "close"; got ${JSON.stringify(r)}`);
  checkBoolean(problems, "tracing", options.tracing);
}

const METRICS_KNOWN: Readonly<Record<keyof MetricsOptions, true>> = { latency: true, prometheusPath: true };

function checkMetrics(options: BootstrapOptions, problems: string[]): void {
  const m = options.metrics;
  if (m === undefined) return;
  if (m === null || typeof m !== "object") {
    problems.push("metrics must be an object, e.g. { latency: true, prometheusPath: \"/metrics\" }");
    return;
  }
  checkKnownKeys(problems, "metrics", m, METRICS_KNOWN);
  checkBoolean(problems, "metrics.latency", m.latency);
  const p = m.prometheusPath;
  if (p !== undefined && (typeof p !== "string" || !p.startsWith("/") || /[?#\s]/.test(p))) {
    problems.push(`metrics.prometheusPath must be a path such as "/metrics"; got ${JSON.stringify(p)}`);
  }
  if (p !== undefined && options.server !== undefined) {
    problems.push("metrics.prometheusPath needs the server bootstrap starts; with server, call registerPrometheusMetrics(handle, registry) and serve registry.metrics() on your own route");
  }
}

/** Copies the known outbound fields that are set (never spreads user input). */
export function pickOutbound(o: OutboundOptions | undefined): OutboundOptions {
  const out: OutboundOptions = {};
  if (o === undefined) return out;
  if (o.maxMessages !== undefined) out.maxMessages = o.maxMessages;
  if (o.maxBytes !== undefined) out.maxBytes = o.maxBytes;
  if (o.highWaterMark !== undefined) out.highWaterMark = o.highWaterMark;
  if (o.policy !== undefined) out.policy = o.policy;
  return out;
}

function checkClusterOptions(options: BootstrapOptions, problems: string[]): void {
  const b = options.broker as { subscribe?: unknown } | undefined;
  if (b !== undefined && (b === null || typeof b.subscribe !== "function")) {
    problems.push("broker must implement Broker (a subscribe(node) method), e.g. new MemoryBroker() or new RedisBroker(url)");
  }
  const u = options.userId as unknown;
  if (
    u !== undefined &&
    u !== "principal" &&
    typeof u !== "function" &&
    !(u !== null && typeof u === "object" && typeof (u as { property?: unknown }).property === "string")
  ) {
    problems.push('userId must be "principal", { property: "name" } or a function (session) => id');
  }
  const r = options.recoveryStore as { claim?: unknown } | undefined;
  if (r !== undefined && (r === null || typeof r.claim !== "function")) {
    problems.push("recoveryStore must implement RecoveryStore, e.g. new MemoryRecoveryStore() or new RedisRecoveryStore(url)");
  }
  if (options.nodeId !== undefined && (typeof options.nodeId !== "string" || !/^[A-Za-z0-9._-]{1,64}$/.test(options.nodeId))) {
    problems.push(`nodeId must be 1 to 64 letters, digits, ".", "_" or "-"; got ${JSON.stringify(options.nodeId)}`);
  }
}

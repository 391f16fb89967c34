import type { Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import type { EndpointClass } from "../../decorators/metadata.js";
import { checkCodecOptions, type CodecOptions } from "../codec/codec-options.js";
import { InvalidOptionsError } from "../errors.js";
import { defaultLogger, type Logger } from "../metrics/logger.js";
import type { MetricsOptions } from "../metrics/metrics.js";

/** Options of {@link bootstrap}. Every field is optional; defaults are safe for production. */
export interface BootstrapOptions {
  /** Endpoint classes to serve. Default: every class decorated with `@ServerEndpoint` that was imported. */
  endpoints?: readonly EndpointClass[];
  /** Port of the server bootstrap starts (default 8080; 0 picks a free port). Not with `server`. */
  port?: number;
  /** Host to listen on (default: all interfaces). Not with `server`. */
  host?: string;
  /** An existing HTTP(S) server to attach to, e.g. Express's or Fastify's; bootstrap does not listen on it. */
  server?: HttpServer | HttpsServer;
  /** Largest inbound message in bytes unless an endpoint says otherwise (default 1 MiB). */
  maxMessageSize?: number;
  /** How long `close()` waits for close handshakes before terminating connections, in ms (default 5000). */
  closeTimeout?: number;
  /** Coalesce each session's writes until the end of the event-loop turn (default true). */
  coalesceWrites?: boolean;
  /** Inbound messages queued per session before reading from its socket pauses (default 1024). */
  inboundQueueLimit?: number;
  /** Where the framework logs (pino-compatible). Default: warnings and errors to stderr. */
  logger?: Logger;
  /** Parent DI container (default: tsyringe's root container). */
  container?: DependencyContainer;
  /** Handler latency histogram and Prometheus exposition (both off by default; counters are always kept). */
  metrics?: MetricsOptions;
  /** Decoders, encoders, DTO validation, invalid-message policy and envelope fields for every endpoint. */
  codecs?: CodecOptions;
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
  readonly logger: Logger;
  readonly container: DependencyContainer;
  readonly metrics: Readonly<{ latency: boolean; prometheusPath: string | undefined }>;
  readonly codecs: Readonly<CodecOptions> | undefined;
}

export const DEFAULTS = Object.freeze({
  port: 8080,
  maxMessageSize: 1024 * 1024,
  closeTimeout: 5000,
  coalesceWrites: true,
  inboundQueueLimit: 1024,
});

const KNOWN = new Set<string>([
  "endpoints", "port", "host", "server", "maxMessageSize", "closeTimeout", "coalesceWrites", "inboundQueueLimit", "logger", "container", "metrics", "codecs",
]);

function positiveInt(name: string, v: unknown, problems: string[], allowZero = false): void {
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
    problems.push(`${name} must be a ${allowZero ? "non-negative" : "positive"} integer; got ${JSON.stringify(v)}`);
  }
}

/** Validates once and freezes. @throws InvalidOptionsError naming every bad field. */
export function resolveOptions(options: BootstrapOptions = {}): ResolvedOptions {
  const problems: string[] = [];
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) problems.push(`unknown option "${key}" (known: ${[...KNOWN].join(", ")})`);
  }
  if (options.server !== undefined && (options.port !== undefined || options.host !== undefined)) {
    problems.push("pass either server (attach to an existing server) or port/host (bootstrap starts one), not both");
  }
  if (options.port !== undefined && (typeof options.port !== "number" || !Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    problems.push(`port must be an integer from 0 to 65535; got ${JSON.stringify(options.port)}`);
  }
  if (options.endpoints !== undefined && !Array.isArray(options.endpoints)) problems.push("endpoints must be an array of classes");
  positiveInt("maxMessageSize", options.maxMessageSize, problems);
  positiveInt("closeTimeout", options.closeTimeout, problems, true);
  positiveInt("inboundQueueLimit", options.inboundQueueLimit, problems);
  if (options.coalesceWrites !== undefined && typeof options.coalesceWrites !== "boolean") problems.push("coalesceWrites must be a boolean");
  checkMetrics(options, problems);
  problems.push(...checkCodecOptions(options.codecs, "codecs"));
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
    logger: options.logger ?? defaultLogger,
    container: options.container ?? rootContainer,
    metrics: Object.freeze({ latency: options.metrics?.latency ?? false, prometheusPath: options.metrics?.prometheusPath }),
    codecs: options.codecs === undefined ? undefined : Object.freeze({ ...options.codecs }),
  });
}

function checkMetrics(options: BootstrapOptions, problems: string[]): void {
  const m = options.metrics;
  if (m === undefined) return;
  if (m === null || typeof m !== "object") {
    problems.push("metrics must be an object, e.g. { latency: true, prometheusPath: \"/metrics\" }");
    return;
  }
  for (const key of Object.keys(m)) if (key !== "latency" && key !== "prometheusPath") problems.push(`unknown option "metrics.${key}" (known: latency, prometheusPath)`);
  if (m.latency !== undefined && typeof m.latency !== "boolean") problems.push("metrics.latency must be a boolean");
  const p = m.prometheusPath;
  if (p !== undefined && (typeof p !== "string" || !p.startsWith("/") || /[?#\s]/.test(p))) {
    problems.push(`metrics.prometheusPath must be a path such as "/metrics"; got ${JSON.stringify(p)}`);
  }
  if (p !== undefined && options.server !== undefined) {
    problems.push("metrics.prometheusPath needs the server bootstrap starts; with server, call registerPrometheusMetrics(handle, registry) and serve registry.metrics() on your own route");
  }
}

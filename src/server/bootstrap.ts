import { createServer, type Server as HttpServer, type ServerOptions } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { registeredEndpoints } from "../../decorators/metadata.js";
import type { Broadcaster, Presence } from "../broker/broadcaster.js";
import { MemoryBroker } from "../broker/memory-broker.js";
import { compileEndpoints } from "../endpoint/compile-server.js";
import { compileSettings, type CompileExtras } from "../endpoint/compile-settings.js";
import { EndpointDefinitionError, InvalidOptionsError, type DefinitionProblem } from "../errors.js";
import type { ServerMetrics } from "../metrics/metrics.js";
import { registerPrometheusMetrics, type PrometheusRegistry } from "../metrics/prometheus.js";
import { metricsSnapshot } from "./metrics-snapshot.js";
import type { Session } from "../session/session.js";
import { EndpointServer } from "./endpoint-server.js";
import { prepareInjection } from "../di/injection.js";
import { resolvePolicies } from "./endpoint-policy.js";
import { resolveOptions, type BootstrapOptions } from "./options.js";
import { assertSingleCopies } from "../peers/single-copy.js";
import { pipelineHooks } from "../pipeline/compile-pipeline.js";

/** A running set of endpoints. */
export interface ServerHandle {
  /** Where the server listens (`port` 0 resolved to the real port). */
  readonly address: AddressInfo;
  /** The HTTP server: the one bootstrap started, or the one it attached to. */
  readonly server: HttpServer | HttpsServer;
  /** Every open session, across endpoints. */
  readonly sessions: ReadonlySet<Session>;
  /** Broadcast and `sendToUser` across every node sharing the broker (also injectable into endpoints). */
  readonly broadcaster: Broadcaster;
  /** Cluster-wide presence (also injectable into endpoints). */
  readonly presence: Presence;
  /**
   * Graceful shutdown: new upgrades get 503, every client gets 1001 GOING_AWAY after the messages
   * already queued for it, every `@OnClose` runs; resolves when done (bounded by `closeTimeout`). Closes
   * the HTTP server too when bootstrap started it.
   */
  close(): Promise<void>;
  /**
   * A snapshot of the server's counters: per endpoint open sessions, handshakes, messages and bytes
   * in/out, decode errors, closes by code, outbound queue depth and drops, handler latency (when
   * enabled); refused handshakes by HTTP status. Cheap enough to call per scrape.
   */
  metrics(): ServerMetrics;
}

/**
 * Compiles the endpoint classes and serves them.
 *
 * @example
 * ```ts
 * import "reflect-metadata";
 * import { bootstrap } from "ws-endpoints";
 * import "./chat-endpoint.js"; // registers @ServerEndpoint classes
 *
 * const app = await bootstrap({ port: 8080 });
 * process.on("SIGTERM", () => void app.close());
 * ```
 * @throws InvalidOptionsError for bad options, EndpointDefinitionError listing every declaration problem,
 * DuplicatePeerDependencyError when the application loaded a second copy of tsyringe or class-validator.
 */
export async function bootstrap(options: BootstrapOptions = {}): Promise<ServerHandle> {
  assertSingleCopies();
  const { server: endpointServer, settings } = createEndpointServer(options);
  const owned = settings.server === undefined;
  const http = settings.server ?? createServer(slowlorisLimits(settings.handshakeTimeout));
  await endpointServer.hub.connect(settings.broker ?? new MemoryBroker());
  const onUpgrade = (req: Parameters<EndpointServer["handleUpgrade"]>[0], socket: Parameters<EndpointServer["handleUpgrade"]>[1], head: Buffer): void =>
    // On a shared server, unknown paths may belong to another upgrade listener.
    endpointServer.handleUpgrade(req, socket, head, owned || http.listenerCount("upgrade") <= 1);
  http.on("upgrade", onUpgrade);
  const handle = {
    metrics: (): ServerMetrics => metricsSnapshot(endpointServer),
  };
  const promPath = settings.metrics.prometheusPath;
  const registry: PrometheusRegistry | undefined = promPath === undefined ? undefined : registerPrometheusMetrics(handle);
  if (owned) {
    http.on("request", (req, res) => {
      if (registry !== undefined && (req.url === promPath || req.url?.startsWith(`${promPath}?`))) {
        registry.metrics().then(
          (text) => res.writeHead(200, { "Content-Type": registry.contentType }).end(text),
          (error: unknown) => {
            settings.logger.error({ err: error }, "Prometheus exposition failed");
            res.writeHead(500).end();
          },
        );
        return;
      }
      endpointServer.handleRequest(req, res);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        http.once("error", reject);
        http.listen(settings.port, settings.host, () => {
          http.off("error", reject);
          resolve();
        });
      });
    } catch (error) {
      http.off("upgrade", onUpgrade);
      await endpointServer.hub.disconnect().catch(() => undefined);
      throw error;
    }
  }
  let closing: Promise<void> | undefined;
  return Object.freeze({
    get address(): AddressInfo {
      return http.address() as AddressInfo;
    },
    server: http,
    sessions: endpointServer.sessions as ReadonlySet<Session>,
    metrics: handle.metrics,
    broadcaster: endpointServer.hub,
    presence: endpointServer.hub.presence,
    close(): Promise<void> {
      closing ??= (async () => {
        await endpointServer.close();
        http.off("upgrade", onUpgrade);
        if (owned) {
          await new Promise<void>((resolve) => {
            http.close(() => resolve());
            http.closeAllConnections();
          });
        }
      })();
      return closing;
    },
  });
}

/**
 * Node's own bounds on a request that arrives slowly (slowloris): the whole header block within
 * `handshakeTimeout` (408 otherwise), checked often enough for the bound to mean something (Node's
 * default check runs every 30 s). Attached servers keep their settings; see docs/security.md.
 */
function slowlorisLimits(handshakeTimeout: number): ServerOptions {
  return {
    headersTimeout: handshakeTimeout,
    requestTimeout: handshakeTimeout,
    connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(handshakeTimeout / 4))),
  };
}

/** @hidden Compiles endpoints and builds the server without any listening (shared with the testing kit). */
export function createEndpointServer(options: BootstrapOptions, compileExtras: CompileExtras = {}) {
  const settings = resolveOptions(options);
  const classes = settings.endpoints ?? registeredEndpoints();
  if (classes.length === 0) {
    throw new InvalidOptionsError(
      "No endpoint classes to serve: pass endpoints: [MyEndpoint] to bootstrap, or import the modules that declare @ServerEndpoint classes before calling it.",
    );
  }
  const problems: DefinitionProblem[] = [];
  let compiled: ReturnType<typeof compileEndpoints> = [];
  const pipeline = pipelineHooks(settings, problems);
  try {
    compiled = compileEndpoints(classes, compileSettings(settings.maxMessageSize, settings.codecs, settings.container, problems, { pipeline, ...compileExtras }));
  } catch (error) {
    if (!(error instanceof EndpointDefinitionError)) throw error;
    problems.push(...error.problems);
  }
  prepareInjection(classes.filter((c) => typeof c === "function"), problems);
  const policies = resolvePolicies(compiled, settings, problems);
  if (problems.length > 0) throw new EndpointDefinitionError(problems);
  return { server: new EndpointServer(compiled, settings, policies), settings };
}

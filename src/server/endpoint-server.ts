import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { ConversionFailure } from "../endpoint/arguments.js";
import type { CompiledEndpoint } from "../endpoint/compile.js";
import { rejectRequest, rejectUpgrade } from "../handshake/http-reject.js";
import type { Logger } from "../metrics/logger.js";
import { MetricsRecorder } from "../metrics/metrics.js";
import { CloseCodes } from "../session/close-reason.js";
import type { EndpointSession, HandshakeInfo } from "../session/endpoint-session.js";
import type { Session } from "../session/session.js";
import type { Transport } from "../transport/transport.js";
import { WsTransport } from "../transport/ws-transport.js";
import { openConnection, type ConnectionOwner } from "./connection.js";
import type { SessionDispatcher } from "./dispatcher.js";
import type { ResolvedOptions } from "./options.js";
import { MALFORMED, Router, type RouteMatch } from "./router.js";

const SELECTED_PROTOCOL = Symbol("ws-endpoints:protocol");
type UpgradeRequest = IncomingMessage & { [SELECTED_PROTOCOL]?: string | false };

function noop(): void {}

function selectProtocol(protocols: Set<string>, req: IncomingMessage): string | false {
  return (req as UpgradeRequest)[SELECTED_PROTOCOL] ?? false;
}

/**
 * Routes upgrade requests to endpoints and owns their sessions. Transport-level work (framing, limits)
 * is `ws`'s; one `WebSocketServer` in noServer mode per endpoint carries that endpoint's limits.
 */
export class EndpointServer implements ConnectionOwner {
  readonly logger: Logger;
  readonly container: ResolvedOptions["container"];
  readonly inboundQueueLimit: number;
  /** Counters read by `ServerHandle.metrics()`. */
  readonly metrics: MetricsRecorder;
  /** Every session that has not finished its @OnClose yet. */
  readonly sessions = new Set<EndpointSession>();
  private readonly router: Router;
  private readonly wss = new Map<CompiledEndpoint, WebSocketServer>();
  private readonly open = new Map<CompiledEndpoint, Set<Session>>();
  private accepting = true;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly endpoints: readonly CompiledEndpoint[],
    private readonly options: ResolvedOptions,
  ) {
    this.logger = options.logger;
    this.container = options.container;
    this.inboundQueueLimit = options.inboundQueueLimit;
    this.metrics = new MetricsRecorder(options.metrics.latency);
    this.router = new Router(endpoints);
    for (const ep of endpoints) {
      this.open.set(ep, new Set());
      this.wss.set(
        ep,
        new WebSocketServer({
          noServer: true,
          clientTracking: false,
          perMessageDeflate: false,
          maxPayload: ep.maxMessageSize,
          handleProtocols: selectProtocol,
        }),
      );
    }
  }

  openSessionsOf(endpoint: CompiledEndpoint): Set<Session> {
    return this.open.get(endpoint)!;
  }

  /** Matches a path to an endpoint (for the runner's plain-HTTP answers). */
  route(pathname: string): RouteMatch | typeof MALFORMED | null {
    return this.router.match(pathname);
  }

  /**
   * The `upgrade` listener. With `answerUnknown` false, requests for paths no endpoint serves are left
   * alone for other upgrade listeners on a shared server (dev servers, other WebSocket libraries).
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, answerUnknown = true): void {
    // A peer resetting the connection mid-handshake must not become an uncaught 'error'.
    socket.on("error", noop);
    if (!this.accepting) return this.refuse(socket, 503, "server is shutting down");
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q === -1 ? url : url.slice(0, q);
    const match = this.router.match(pathname);
    if (match === null) {
      if (answerUnknown) return this.refuse(socket, 404);
      socket.off("error", noop);
      return;
    }
    if (match === MALFORMED) return this.refuse(socket, 400, "malformed path");
    const bad = checkPathParams(match);
    if (bad) return this.refuse(socket, 400, bad);
    const ep = match.endpoint;
    (req as UpgradeRequest)[SELECTED_PROTOCOL] = negotiate(ep.subprotocols, req.headers["sec-websocket-protocol"]);
    const query = q === -1 ? "" : url.slice(q + 1);
    this.wss.get(ep)!.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      socket.off("error", noop);
      this.accept(ep, ws, req, pathname, query, match.params);
    });
  }

  /** Every refused upgrade goes through here, so metrics count refusals by status. */
  private refuse(socket: Duplex, status: number, message?: string, headers?: Readonly<Record<string, string>>): void {
    this.metrics.refused(status);
    rejectUpgrade(socket, status, message, headers);
  }

  /** The `request` listener of a server bootstrap owns: 426 on endpoint paths, 404 elsewhere. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const match = this.router.match(q === -1 ? url : url.slice(0, q));
    if (match !== null && match !== MALFORMED) {
      rejectRequest(res, 426, "this path accepts WebSocket connections only", { Upgrade: "websocket", Connection: "Upgrade" });
    } else rejectRequest(res, 404);
  }

  released(session: EndpointSession): void {
    this.sessions.delete(session);
    if (this.sessions.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Stops accepting (new upgrades get 503), closes every session with 1001 GOING_AWAY after what it
   * already queued, waits for their @OnClose up to `closeTimeout`, then terminates the rest.
   */
  async close(): Promise<void> {
    this.accepting = false;
    for (const s of [...this.sessions]) s.closeWith(CloseCodes.GOING_AWAY, "server shutting down");
    if (!(await this.whenIdle(this.options.closeTimeout))) {
      for (const s of [...this.sessions]) s.transport.terminate();
      await this.whenIdle(1000);
    }
    for (const w of this.wss.values()) w.close();
  }

  private whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.sessions.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }

  /** @internal Starts a session on an accepted transport (also used by the testing kit). */
  attach(ep: CompiledEndpoint, transport: Transport, info: HandshakeInfo, session?: EndpointSession): SessionDispatcher | null {
    const dispatcher = openConnection(ep, transport, info, this, session);
    if (dispatcher) this.sessions.add(dispatcher.session);
    return dispatcher;
  }

  private accept(ep: CompiledEndpoint, ws: WebSocket, req: IncomingMessage, path: string, query: string, pathParams: Readonly<Record<string, string>>): void {
    this.metrics.of(ep).handshakesAccepted++;
    this.attach(ep, new WsTransport(ws, this.options.coalesceWrites), {
      path,
      query,
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress ?? "",
      pathParams,
      subprotocol: ws.protocol,
    });
  }
}

/** Checks typed @PathParam values so a bad one is an HTTP 400, not a runtime error. */
function checkPathParams(match: RouteMatch): string | undefined {
  for (const [name, converters] of match.endpoint.pathConverters) {
    for (const convert of converters) {
      try {
        convert(match.params[name]!);
      } catch (error) {
        if (error instanceof ConversionFailure) return `path parameter {${name}}: ${error.message}`;
        throw error;
      }
    }
  }
  return undefined;
}

/** Default selection: the first of the client's subprotocols that the endpoint supports. */
function negotiate(supported: readonly string[], header: string | undefined): string | false {
  if (!header || supported.length === 0) return false;
  for (const p of header.split(",")) {
    const name = p.trim();
    if (supported.includes(name)) return name;
  }
  return false;
}

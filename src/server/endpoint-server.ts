import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { Broadcaster, Presence } from "../broker/broadcaster.js";
import { BroadcastHub } from "../broker/hub.js";
import type { CompiledEndpoint } from "../endpoint/compiled.js";
import type { EndpointPolicy } from "./endpoint-policy.js";
import { HandshakeRequestView } from "../handshake/handshake-request.js";
import { packHeaders } from "../session/packed-headers.js";
import { rejectRequest, rejectUpgrade } from "../handshake/http-reject.js";
import { ConnectionLimits, holdUntilClose, peerAddress } from "../handshake/limits.js";
import { OriginPolicy } from "../handshake/origin.js";
import { compileTrustProxy, type ProxyTrust } from "../handshake/trust-proxy.js";
import { appendResponseHeaders, isRefused, runHandshakeHooks, safeStatus, type HandshakeAccepted, type HandshakeOutcome } from "../handshake/pipeline.js";
import { checkUpgradeRequest } from "../handshake/upgrade-request.js";
import type { Logger } from "../metrics/logger.js";
import { MetricsRecorder } from "../metrics/metrics.js";
import { endHandshakeSpan, HANDSHAKE_SPAN, startHandshakeSpan, type SpanCarrier } from "./handshake-span.js";
import { IdleWaiters } from "./idle-waiters.js";
import { CloseCodes } from "../close-reason.js";
import { WsSession, type HandshakeInfo } from "../session/ws-session.js";
import type { Session } from "../session/session.js";
import type { Transport } from "../transport/transport.js";
import { ServerWebSocket } from "../transport/server-websocket.js";
import { WsTransport } from "../transport/ws-transport.js";
import { createEndpointInstance, openConnection } from "../runtime/connection.js";
import { LivenessMonitor } from "./heartbeat.js";
import { AddressBuckets, TokenBucket, type ResolvedRateLimit } from "../runtime/rate-limit.js";
import { checkHandshakeParams } from "./handshake-params.js";
import { Configurator, type ResponseHeaders } from "../handshake/configurator.js";
import type { DependencyContainer } from "tsyringe";
import { connectionContainer } from "../di/injection.js";
import type { DispatchEnv, SessionDispatcher } from "../runtime/dispatcher.js";
import { HandlerTimeoutWheel } from "../runtime/handler-timeout.js";
import { InboundBudget } from "../runtime/inbound-budget.js";
import type { ResolvedOptions } from "./options.js";
import { MALFORMED, Router, type RouteMatch } from "./router.js";
import { MemoryRecoveryStore } from "../recovery/memory-store.js";
import { RecoveryManager, type RecoveryTicket } from "../recovery/recovery-manager.js";

const SELECTED_PROTOCOL = Symbol("ws-endpoints:protocol");
const RESPONSE_HEADERS = Symbol("ws-endpoints:response-headers");
// What `accept` needs once ws has completed the upgrade, carried on the request ws hands back, so that no
// closure is created per connection (T7).
const ENDPOINT = Symbol("ws-endpoints:endpoint");
const VIEW = Symbol("ws-endpoints:view");
const OUTCOME = Symbol("ws-endpoints:outcome");
const TICKET = Symbol("ws-endpoints:recovery-ticket");
type UpgradeRequest = IncomingMessage & SpanCarrier & {
  [SELECTED_PROTOCOL]?: string | false;
  [RESPONSE_HEADERS]?: ResponseHeaders;
  [ENDPOINT]?: CompiledEndpoint;
  [VIEW]?: HandshakeRequestView;
  [OUTCOME]?: HandshakeAccepted;
  [TICKET]?: RecoveryTicket | undefined;
};

function noop(): void {}

const DEFAULT_GET_INSTANCE = Configurator.prototype.getEndpointInstance;

function selectProtocol(protocols: Set<string>, req: IncomingMessage): string | false {
  return (req as UpgradeRequest)[SELECTED_PROTOCOL] ?? false;
}

/**
 * Routes upgrade requests to endpoints and owns their sessions. Transport-level work (framing, limits)
 * is `ws`'s; one `WebSocketServer` in noServer mode per endpoint carries that endpoint's limits.
 */
export class EndpointServer implements DispatchEnv {
  readonly logger: Logger;
  readonly container: ResolvedOptions["container"];
  readonly inboundQueueLimit: number;
  readonly inboundQueueBytes: number;
  /** @hidden Queued inbound bytes of all this server's sessions (`inboundBudget`). */
  readonly inboundBudget: InboundBudget;
  readonly handlerTimeouts: HandlerTimeoutWheel | null;
  /** Counters read by `ServerHandle.metrics()`. */
  readonly metrics: MetricsRecorder;
  /** Every session that has not finished its @OnClose yet. */
  readonly sessions = new Set<WsSession>();
  /** Rooms, broadcast and presence of this server (this node). */
  readonly hub: BroadcastHub;
  private readonly router: Router;
  private readonly wss = new Map<CompiledEndpoint, WebSocketServer>();
  private readonly open = new Map<CompiledEndpoint, Set<Session>>();
  private accepting = true;
  private readonly idle = new IdleWaiters();
  private readonly limits: ConnectionLimits;
  private readonly originPolicy: OriginPolicy;
  /** Null without `trustProxy`: the address is the socket's peer and no header is read. */
  private readonly proxyTrust: ProxyTrust | null;
  /** Handshakes waiting on async hooks; each entry refuses its upgrade (shutdown). */
  private readonly pending = new Set<() => void>();
  /** The shared rate-limit buckets of endpoints with `rateLimit.per: "address"`. */
  private readonly addressBuckets = new Map<CompiledEndpoint, AddressBuckets>();
  /** @hidden The one heartbeat / idle timer of this server. */
  readonly liveness: LivenessMonitor;
  /** @hidden Session recovery of this server's recoverable endpoints. */
  readonly recovery: RecoveryManager;
  private readonly ownsRecoveryStore: boolean;

  constructor(
    readonly endpoints: readonly CompiledEndpoint[],
    private readonly options: ResolvedOptions,
    private readonly policies: ReadonlyMap<CompiledEndpoint, EndpointPolicy>,
  ) {
    this.logger = options.logger;
    this.hub = new BroadcastHub({ nodeId: options.nodeId, userId: options.userId, logger: options.logger, tracing: options.tracing });
    // A container per server, so Broadcaster and Presence resolve to this server's even when several
    // servers share the parent container (tests, several apps in one process).
    this.container = options.container.createChildContainer();
    this.container.register(Broadcaster as unknown as new () => Broadcaster, { useValue: this.hub });
    this.container.register(Presence as unknown as new () => Presence, { useValue: this.hub.presence });
    this.inboundQueueLimit = options.inboundQueueLimit;
    this.inboundQueueBytes = options.inboundQueueBytes;
    this.inboundBudget = new InboundBudget(options.inboundBudget);
    this.handlerTimeouts = options.handlerTimeout > 0 ? new HandlerTimeoutWheel(options.handlerTimeout) : null;
    this.metrics = new MetricsRecorder(options.metrics.latency);
    this.router = new Router(endpoints);
    this.limits = new ConnectionLimits(options.maxConnections, options.maxConnectionsPerIp);
    this.originPolicy = new OriginPolicy(options.allowedOrigins);
    this.proxyTrust = compileTrustProxy(options.trustProxy, options.forwardedHeader, options.logger);
    this.liveness = new LivenessMonitor(this.sessions);
    this.ownsRecoveryStore = options.recoveryStore === undefined;
    this.recovery = new RecoveryManager(options.recoveryStore ?? new MemoryRecoveryStore(), this.hub, this.logger);
    // Broker messages carry ids, so a session moving between nodes gets each once: only with recovery.
    this.hub.stampIds = [...policies.values()].some((p) => p.recovery !== null);
    for (const ep of endpoints) {
      this.open.set(ep, new Set());
      const wss = new WebSocketServer({
        noServer: true,
        clientTracking: false,
        perMessageDeflate: policies.get(ep)!.perMessageDeflate,
        maxPayload: ep.maxMessageSize,
        handleProtocols: selectProtocol,
        WebSocket: ServerWebSocket,
        // Text is checked as UTF-8 by the dispatcher, during decoding (a string handler's check then costs
        // a quarter of ws's own); ServerWebSocket keeps checking the reason of a peer's close frame.
        skipUTF8Validation: true,
        // ws ≥ 8.19: a close handshake the peer never answers ends in terminate() after this (typings lag).
        ...({ closeTimeout: options.closeTimeout } as object),
      });
      wss.on("headers", (lines: string[], req: UpgradeRequest) => {
        const extra = req[RESPONSE_HEADERS];
        if (extra !== undefined) appendResponseHeaders(lines, extra, this.logger);
      });
      // With a listener, ws leaves the answer to us instead of writing its own.
      wss.on("wsClientError", (error: Error, socket: Duplex) => this.refuse(socket, 400, error.message));
      this.wss.set(ep, wss);
    }
  }

  /** Connections (and handshakes in progress) counted against the limits. */
  get connectionCount(): number {
    return this.limits.size;
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
    // A peer's reset mid-handshake must not become an uncaught 'error': a no-op listener where the handshake
    // waits or is refused (Node emits on a later tick; ws listens from its handleUpgrade on).
    if (!this.accepting) return this.refuse(socket, 503, "server is shutting down");
    const invalid = checkUpgradeRequest(req);
    if (invalid) return this.refuse(socket, invalid.status, invalid.message, invalid.headers);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q === -1 ? url : url.slice(0, q);
    const match = this.router.match(pathname);
    if (match === null) {
      if (answerUnknown) return this.refuse(socket, 404);
      return;
    }
    if (match === MALFORMED) return this.refuse(socket, 400, "malformed path");
    const bad = checkHandshakeParams(match.endpoint, match.params, q === -1 ? "" : url.slice(q + 1));
    if (bad) return this.refuse(socket, 400, bad);
    const ep = match.endpoint;
    const policy = this.policies.get(ep)!;
    const peer = peerAddress(req.socket.remoteAddress);
    const ip = this.proxyTrust === null ? peer : this.proxyTrust.clientAddress(req.headers, peer);
    // Node keeps the {address, family, port} it read on the socket for the socket's whole life (56 bytes
    // per idle connection, T5); the view and the session keep the string, and Node reads the address again
    // should anything else ask while the socket is open.
    (req.socket as { _peername?: unknown })._peername = undefined;
    const refusal = this.limits.reserve(ep, policy.maxConnections, ip);
    if (refusal !== null) return this.refuse(socket, refusal.status, refusal.message);
    holdUntilClose(socket, this.limits, ep, ip);
    // An exact route's own string: the request's copy would stay alive as long as the session.
    const path = ep.template.exact ? ep.template.source : pathname;
    const view = new HandshakeRequestView(req, path, q === -1 ? "" : url.slice(q + 1), match.params, ip, ep.type, this.originPolicy);
    if (this.options.tracing !== null) startHandshakeSpan(this.options.tracing, req as UpgradeRequest, ep);
    const outcome = runHandshakeHooks(view, policy, ep.subprotocols, this.logger);
    if (outcome instanceof Promise) this.awaitHooks(outcome, view, socket, head, ep);
    else this.complete(outcome, view, socket, head, ep);
  }

  /** Bounds the async hooks by `handshakeTimeout`; shutdown refuses what is still waiting. */
  private awaitHooks(outcome: Promise<HandshakeOutcome>, view: HandshakeRequestView, socket: Duplex, head: Buffer, ep: CompiledEndpoint): void {
    socket.on("error", noop);
    let settled = false;
    const refuse = (status: number, message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.pending.delete(cancel);
      endHandshakeSpan(view.raw as UpgradeRequest, status);
      this.refuse(socket, status, message);
    };
    const cancel = (): void => refuse(503, "server is shutting down");
    const timer = setTimeout(() => refuse(503, "handshake timed out"), this.options.handshakeTimeout);
    this.pending.add(cancel);
    void outcome.then((o) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.pending.delete(cancel);
      this.complete(o, view, socket, head, ep);
    });
  }

  private complete(outcome: HandshakeOutcome, view: HandshakeRequestView, socket: Duplex, head: Buffer, ep: CompiledEndpoint): void {
    const req = view.raw as UpgradeRequest;
    const status = isRefused(outcome) ? safeStatus(outcome.status) : !this.accepting ? 503 : socket.destroyed || !socket.readable || !socket.writable ? 0 : 101;
    if (status !== 101) endHandshakeSpan(req, status);
    if (isRefused(outcome)) return this.refuse(socket, status, outcome.message, outcome.headers);
    if (!this.accepting) return this.refuse(socket, 503, "server is shutting down");
    if (status === 0) return void socket.destroy();
    req[SELECTED_PROTOCOL] = outcome.subprotocol ?? false;
    if (outcome.responseHeaders !== undefined) req[RESPONSE_HEADERS] = outcome.responseHeaders;
    const ticket = this.recovery.prepare(ep.template.source, ep.encode, this.policies.get(ep)!.recovery, view.query, outcome.principal);
    if (!(ticket instanceof Promise)) return this.upgrade(req, socket, head, ep, view, outcome, ticket);
    socket.on("error", noop);
    void ticket.then((t) => {
      if (!this.accepting) return this.refuse(socket, 503, "server is shutting down");
      if (socket.destroyed || !socket.readable || !socket.writable) return void socket.destroy();
      this.upgrade(req, socket, head, ep, view, outcome, t);
    });
  }

  private upgrade(req: UpgradeRequest, socket: Duplex, head: Buffer, ep: CompiledEndpoint, view: HandshakeRequestView, outcome: HandshakeAccepted, ticket: RecoveryTicket | null): void {
    req[ENDPOINT] = ep;
    req[VIEW] = view;
    req[OUTCOME] = outcome;
    if (ticket !== null) req[TICKET] = ticket;
    this.wss.get(ep)!.handleUpgrade(req, socket, head, this.upgraded);
  }

  /** ws completed an upgrade `complete` handed it: one function per server, the connection's parts on `req`. */
  private readonly upgraded = (ws: WebSocket, req: UpgradeRequest): void => {
    req.socket.off("error", noop);
    const ep = req[ENDPOINT]!;
    const view = req[VIEW]!;
    const outcome = req[OUTCOME]!;
    const ticket = req[TICKET] ?? null;
    req[VIEW] = undefined;
    req[OUTCOME] = undefined;
    req[TICKET] = undefined;
    this.accept(ep, ws, view, outcome, ticket);
  };

  /** Every refused upgrade goes through here, so metrics count refusals by status. */
  private refuse(socket: Duplex, status: number, message?: string, headers?: Readonly<Record<string, string>>): void {
    socket.on("error", noop);
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

  /** A session's rate-limit bucket: its own, or its address's share (`per: "address"`). */
  private bucketFor(ep: CompiledEndpoint, limit: ResolvedRateLimit, s: WsSession): TokenBucket {
    if (!limit.perAddress) return new TokenBucket(limit);
    let shared = this.addressBuckets.get(ep);
    if (shared === undefined) this.addressBuckets.set(ep, (shared = new AddressBuckets(limit)));
    return shared.acquire(s.info.remoteAddress);
  }

  released(session: WsSession): void {
    if (session.rateLimiter instanceof TokenBucket) session.rateLimiter.release();
    this.sessions.delete(session);
    this.hub.release(session);
    if (this.sessions.size === 0) this.idle.wake();
  }

  /**
   * Stops accepting (new upgrades get 503), closes every session with 1001 GOING_AWAY after what it
   * already queued, waits for their @OnClose up to `closeTimeout`, then terminates the rest.
   */
  async close(): Promise<void> {
    this.accepting = false;
    this.recovery.shutdown();
    this.liveness.stop();
    for (const cancel of [...this.pending]) cancel();
    for (const s of [...this.sessions]) s.closeWith(CloseCodes.GOING_AWAY, "server shutting down");
    if (!(await this.whenIdle(this.options.closeTimeout))) {
      for (const s of [...this.sessions]) s.transport.terminate();
      await this.whenIdle(1000);
    }
    for (const w of this.wss.values()) w.close();
    await this.recovery.close();
    if (this.ownsRecoveryStore) await this.recovery.store.close();
    await this.hub.disconnect().catch((error: unknown) => this.logger.warn({ err: error }, "leaving the broker failed"));
    this.handlerTimeouts?.stop();
  }

  private whenIdle(timeoutMs: number): Promise<boolean> {
    return this.sessions.size === 0 ? Promise.resolve(true) : this.idle.wait(timeoutMs);
  }

  /**
   * @hidden Starts a session on an accepted transport (the testing kit passes its own session): builds
   * the connection's plan from the endpoint's policy and opens it.
   */
  attach(ep: CompiledEndpoint, transport: Transport, info: HandshakeInfo, session?: WsSession, ticket: RecoveryTicket | null = null): SessionDispatcher | null {
    const s = session ?? new WsSession(transport, info, this.open.get(ep)!, ep.encode, ticket?.claim?.sessionId);
    const instance = createEndpointInstance(ep, s, this.container, this.logger, this.instanceOf);
    if (instance === null) return null;
    // Before @OnOpen is queued: the control message, the restored rooms and the replay come first.
    if (ticket !== null) this.recovery.begin(s, ticket);
    const policy = this.policies.get(ep)!;
    const dispatcher = openConnection(
      ep,
      { session: s, instance, limits: policy, rateLimiter: policy.rateLimit === null ? null : this.bucketFor(ep, policy.rateLimit, s), liveness: this.liveness },
      this,
    );
    this.sessions.add(s);
    // Before @OnOpen runs (it is queued on a microtask), so joins in @OnOpen are tracked.
    this.hub.add(s);
    return dispatcher;
  }

  /**
   * The configurator's `getEndpointInstance`. With the default hook, a constructor without parameters
   * and no registration of the class, `container.resolve` would only call `new`: doing that directly
   * saves a child container per connection (about a tenth of a handshake's cost here). An arrow
   * property, so no closure is created per connection.
   */
  private readonly instanceOf = (ep: CompiledEndpoint, container: DependencyContainer, session: WsSession): object => {
    const configurator = this.policies.get(ep)!.configurator;
    if (configurator.getEndpointInstance === DEFAULT_GET_INSTANCE && !ep.injectsConstructor && !this.container.isRegistered(ep.type, true)) {
      return new ep.type();
    }
    return configurator.getEndpointInstance(ep.type, connectionContainer(container, session)) as object;
  };

  private accept(ep: CompiledEndpoint, ws: WebSocket, view: HandshakeRequestView, outcome: HandshakeAccepted, ticket: RecoveryTicket | null): void {
    this.metrics.of(ep).handshakesAccepted++;
    const transport = new WsTransport(ws, this.options.coalesceWrites, false);
    const d = this.attach(ep, transport, {
      path: view.path,
      query: view.query,
      headers: packHeaders(view.headers),
      remoteAddress: view.remoteAddress,
      pathParams: view.pathParameters,
      subprotocol: ws.protocol,
      principal: outcome.principal,
      userProperties: outcome.userProperties,
    }, undefined, ticket);
    const req = view.raw as UpgradeRequest;
    if (req[HANDSHAKE_SPAN] !== undefined) endHandshakeSpan(req, 101, d?.session.id);
  }
}


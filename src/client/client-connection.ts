import type { Socket } from "node:net";
import type WebSocket from "ws";
import type { DependencyContainer } from "tsyringe";
import type { CompiledClientEndpoint } from "../endpoint/compiled.js";
import { ConnectError, HandshakeRefusedError, SessionClosedError, type QueueOverflowError } from "../errors.js";
import type { Logger } from "../metrics/logger.js";
import { createEndpointInstance, openConnection } from "../runtime/connection.js";
import type { DispatchEnv, SessionDispatcher } from "../runtime/dispatcher.js";
import { CloseCodes, CloseReason } from "../close-reason.js";
import type { WsSession, HandshakeInfo } from "../session/ws-session.js";
import type { Session } from "../session/session.js";
import type { TransportSink } from "../transport/transport.js";
import { closedTooBig, WsTransport } from "../transport/ws-transport.js";
import type { ResolvedConnectOptions } from "./client-options.js";
import { ClientSessionImpl, type SessionControl } from "./client-session.js";
import { ClientTransport, type ClientTransportOwner } from "./client-transport.js";
import { ClientHeartbeat } from "./heartbeat.js";
import { openSocket, type SocketRequest } from "./open-socket.js";
import { backoffDelay } from "../browser/backoff.js";
import { BufferPolicies, shouldReconnect, type DisconnectCause } from "./reconnect.js";
import { parseControl, withAsk } from "../contract/recovery-wire.js";

const STATE = { CONNECTING: 0, OPEN: 1, RECONNECTING: 2, CLOSED: 3 } as const;
type State = (typeof STATE)[keyof typeof STATE];

/**
 * One client session's life: the first handshake, then for each connection a `WsTransport`, a heartbeat
 * and the shared `SessionDispatcher` (through `openConnection`, exactly as the server runs endpoints),
 * and between connections the reconnect policy. The next connection opens only after the previous
 * connection's @OnClose finished, so one endpoint instance never runs two handlers at once.
 */
export class ClientConnection implements DispatchEnv, ClientTransportOwner, SessionControl {
  readonly session: ClientSessionImpl;
  readonly logger: Logger;
  readonly inboundQueueLimit: number;
  readonly inboundQueueBytes: number;
  /** One connection per client session: no budget across sessions. */
  readonly inboundBudget = null;
  /** Client handlers are not bounded by a handler timeout (a server option); the heartbeat guards the link. */
  readonly handlerTimeouts = null;
  private readonly transport: ClientTransport;
  private state: State = STATE.CONNECTING;
  private socket: WebSocket | null = null;
  private heartbeat: ClientHeartbeat | null = null;
  private dispatcher: SessionDispatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private lastClose = new CloseReason(CloseCodes.CLOSED_ABNORMALLY);
  private lastError: Error | undefined;
  private started: { resolve(s: ClientSessionImpl): void; reject(e: Error): void } | null = null;
  private droppedWarned = false;
  /** The current connection is being closed by this client's runtime (a handler or protocol failure). */
  private failedLocally = false;
  /** Session recovery: the token of the server session, from its last control message. */
  private token: string | undefined;
  /** The current connection asked for recovery and waits for the server's control message before @OnOpen. */
  private controlTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly endpoint: CompiledClientEndpoint,
    private readonly request: SocketRequest,
    private readonly options: ResolvedConnectOptions,
    readonly container: DependencyContainer,
    info: HandshakeInfo,
    openSessions: Set<Session>,
  ) {
    this.logger = options.logger;
    this.inboundQueueLimit = options.inboundQueueLimit;
    this.inboundQueueBytes = options.inboundQueueBytes;
    const policy = options.reconnect;
    this.transport = new ClientTransport(policy?.bufferLimit ?? 0, policy?.bufferPolicy ?? BufferPolicies.DROP_NEWEST, this);
    this.session = new ClientSessionImpl(this.transport, info, openSessions, endpoint.encode, this);
  }

  get reconnecting(): boolean {
    return this.state === STATE.RECONNECTING;
  }

  get mayReconnect(): boolean {
    return this.options.reconnect !== null;
  }

  /** Opens the first connection: resolves with the session once open, rejects when that fails. */
  start(): Promise<ClientSessionImpl> {
    return new Promise((resolve, reject) => {
      this.started = { resolve, reject };
      this.connect();
    });
  }

  /** The dispatcher of a connection finished its @OnClose. */
  released(_session: WsSession): void {
    this.dispatcher = null;
    if (this.state === STATE.RECONNECTING) this.scheduleAttempt();
    else if (this.state === STATE.CLOSED) this.session.finish(this.lastClose);
  }

  closeRequested(code: number, reason: string): void {
    if (this.state === STATE.OPEN) {
      if (!this.session.closedByApplication) this.failedLocally = true;
      this.transport.closeCurrent(code, reason);
      return;
    }
    if (!this.session.closedByApplication || this.state === STATE.CLOSED) return;
    // Closed while waiting for a connection: there is none to close; the session just ends.
    this.lastClose = new CloseReason(code, reason);
    this.end(new SessionClosedError("The session was closed while reconnecting; this message was never sent."));
  }

  overflowed(error: QueueOverflowError): void {
    this.logger.warn({ err: error }, `${this.endpoint.name}: reconnect buffer full; ending the session (bufferPolicy "close")`);
    this.lastClose = new CloseReason(CloseCodes.VIOLATED_POLICY, "reconnect buffer overflow");
    this.end(error);
  }

  dropped(error: QueueOverflowError): void {
    if (this.droppedWarned) return;
    this.droppedWarned = true;
    this.logger.warn({ err: error }, `${this.endpoint.name}: reconnect buffer full; dropping messages until reconnected`);
  }

  private connect(): void {
    this.timer = null;
    const request = this.options.recovery ? { ...this.request, url: withAsk(this.request.url, this.token, this.session.received) } : this.request;
    this.socket = openSocket(request, {
      open: (ws) => this.opened(ws),
      failed: (error) => this.attemptFailed(error),
    });
  }

  private opened(ws: WebSocket): void {
    if (this.state === STATE.CLOSED) return void ws.terminate();
    this.socket = ws;
    this.droppedWarned = false;
    const physical = new WsTransport(ws, true, true);
    physical.bind(new ConnectionSink(this, ws));
    this.state = STATE.OPEN;
    this.session.connected(ws.protocol, (physical.rawSocket as Socket | undefined)?.remoteAddress ?? "");
    this.transport.attach(physical);
    const hb = this.options.heartbeat;
    if (hb !== null) {
      this.heartbeat = new ClientHeartbeat(physical, hb.interval, hb.timeout, () => {
        this.logger.warn({}, `${this.endpoint.name}: no pong within ${hb.timeout} ms; dropping the connection to ${this.request.url}`);
        physical.terminate();
      });
    }
    if (this.options.recovery) {
      // @OnOpen waits for the control message: it tells whether this is the previous session, recovered.
      this.controlTimer = setTimeout(() => {
        this.logger.warn({}, `${this.endpoint.name}: no recovery control message within ${this.options.handshakeTimeout} ms; dropping the connection to ${this.request.url}`);
        physical.terminate();
      }, this.options.handshakeTimeout);
      return;
    }
    this.run();
  }

  /** @internal A message of the current connection: the control message first (recovery), then data for the dispatcher. */
  message(data: Buffer, isBinary: boolean): void {
    if (this.controlTimer !== null) {
      clearTimeout(this.controlTimer);
      this.controlTimer = null;
      const control = isBinary ? undefined : parseControl(data.toString("utf8"));
      if (control !== undefined) {
        if (control === "unsupported") this.session.recovery = null;
        else {
          this.token = control.token;
          this.session.received = control.offset;
          this.session.recovery = { sessionId: control.session, recovered: control.recovered, refused: control.refused };
        }
        this.run();
        return;
      }
      // Not a control message: a server without recovery support. This message is data.
      this.session.recovery = null;
      this.run();
    }
    if (this.session.recovery !== null) this.session.received++;
    this.dispatcher?.onMessage(data, isBinary);
  }

  /** Runs the endpoint on the open connection: @OnOpen, then its messages. */
  private run(): void {
    // The instance is registered in the container (connect.ts): resolving it yields the same one, or a fresh one per connection.
    const instance = createEndpointInstance(this.endpoint, this.session, this.container, this.logger);
    // No server limits apply: the reconnect buffer bounds what is queued, and the client's own heartbeat watches the link.
    this.dispatcher = instance === null ? null : openConnection(this.endpoint, { session: this.session, instance, limits: null, rateLimiter: null, liveness: null }, this);
    const started = this.started;
    this.started = null;
    if (this.dispatcher === null) started?.reject(new ConnectError(this.request.url, `${this.endpoint.name} could not be created (see the logged error)`));
    else started?.resolve(this.session);
  }

  /** @internal From the current socket's sink. */
  isCurrent(ws: WebSocket): boolean {
    return this.socket === ws;
  }

  /** @internal */
  pong(): void {
    this.heartbeat?.pong();
  }

  /** @internal The current connection is gone. */
  disconnected(code: number, reason: string, tooBig = false): void {
    if (this.controlTimer !== null) clearTimeout(this.controlTimer);
    this.controlTimer = null;
    this.heartbeat?.stop();
    this.heartbeat = null;
    this.socket = null;
    this.transport.detach();
    if (this.started !== null) {
      // The first connection closed before its recovery control message: connecting failed.
      const started = this.started;
      this.started = null;
      this.state = STATE.CLOSED;
      this.lastClose = new CloseReason(CloseCodes.CLOSED_ABNORMALLY, reason);
      this.transport.end(new SessionClosedError("The session never connected."));
      this.session.finish(this.lastClose);
      started.reject(new ConnectError(this.request.url, `the connection closed (${code}) before the server's recovery control message`));
      return;
    }
    this.lastClose = new CloseReason(code >= 1000 && code <= 4999 ? code : CloseCodes.CLOSED_ABNORMALLY, reason);
    this.lastError = undefined;
    // A connection this client itself gave up on (a message it cannot handle, a failing handler) would
    // fail the same way again: its attempts keep counting, so backoff grows and maxAttempts applies.
    if (!this.failedLocally && !tooBig) this.attempt = 0;
    this.failedLocally = false;
    const again = this.state === STATE.OPEN && this.wanted({ kind: "closed", code });
    this.state = again ? STATE.RECONNECTING : STATE.CLOSED;
    if (!again) this.transport.end(new SessionClosedError("The connection closed before this message was sent; the session has ended."));
    const sink = this.dispatcher;
    if (sink !== null) sink.onClose(code, reason);
    else this.released(this.session);
  }

  /** @internal */
  get sink(): TransportSink | null {
    return this.dispatcher;
  }

  private wanted(cause: DisconnectCause): boolean {
    const policy = this.options.reconnect;
    return policy !== null && !this.session.closedByApplication && this.session.isOpen() && shouldReconnect(cause, policy);
  }

  private attemptFailed(error: ConnectError | HandshakeRefusedError): void {
    this.socket = null;
    this.lastError = error;
    const started = this.started;
    if (started !== null) {
      // The first connection is not retried: the caller learns at once that the URL, token or server is wrong.
      this.started = null;
      this.state = STATE.CLOSED;
      this.transport.end(new SessionClosedError("The session never connected.", error));
      this.session.finish(this.lastClose);
      started.reject(error);
      return;
    }
    if (this.state !== STATE.RECONNECTING) return;
    const cause: DisconnectCause = error instanceof HandshakeRefusedError ? { kind: "refused", status: error.status } : { kind: "failed" };
    if (!this.wanted(cause)) {
      this.logger.warn({ err: error }, `${this.endpoint.name}: not reconnecting to ${this.request.url}`);
      return this.end(new SessionClosedError("Reconnecting stopped; this message was never sent.", error));
    }
    this.scheduleAttempt();
  }

  private scheduleAttempt(): void {
    const policy = this.options.reconnect!;
    this.attempt++;
    if (this.attempt > policy.maxAttempts) {
      const error = new ConnectError(this.request.url, `gave up after ${policy.maxAttempts} reconnect attempts`, this.lastError);
      this.logger.warn({ err: error }, `${this.endpoint.name}: ${error.message}`);
      return this.end(new SessionClosedError("Reconnecting gave up; this message was never sent.", error));
    }
    const delay = backoffDelay(this.attempt, policy, Math.random());
    if (policy.onReconnect !== undefined) {
      let verdict: boolean | void = undefined;
      try {
        verdict = policy.onReconnect({ attempt: this.attempt, delay, reason: this.lastClose, error: this.lastError });
      } catch (error) {
        this.logger.error({ err: error }, `${this.endpoint.name}: reconnect.onReconnect threw; reconnecting anyway`);
      }
      if (verdict === false) return this.end(new SessionClosedError("reconnect.onReconnect stopped reconnecting; this message was never sent."));
    }
    // Not unref'd: a client waiting to reconnect is work the process is still doing.
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** The session ends for good, from any state. */
  private end(error: Error): void {
    if (this.state === STATE.CLOSED && this.timer === null && this.socket === null) {
      this.transport.end(error);
      return;
    }
    const wasOpen = this.state === STATE.OPEN;
    this.state = STATE.CLOSED;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.transport.end(error);
    if (wasOpen) {
      this.transport.closeCurrent(this.lastClose.getCloseCode(), this.lastClose.getReasonPhrase());
      return;
    }
    const pending = this.socket;
    this.socket = null;
    pending?.terminate();
    if (this.dispatcher === null) this.session.finish(this.lastClose);
  }
}

/** Receives one socket's events; ignores a socket that is no longer current. */
class ConnectionSink implements TransportSink {
  constructor(
    private readonly owner: ClientConnection,
    private readonly ws: WebSocket,
  ) {}

  onMessage(data: Buffer, isBinary: boolean): void {
    if (this.owner.isCurrent(this.ws)) this.owner.message(data, isBinary);
  }

  onPong(data: Buffer): void {
    if (!this.owner.isCurrent(this.ws)) return;
    this.owner.pong();
    this.owner.sink?.onPong(data);
  }

  onError(error: Error): void {
    if (this.owner.isCurrent(this.ws)) this.owner.sink?.onError(error);
  }

  onClose(code: number, reason: string): void {
    if (this.owner.isCurrent(this.ws)) this.owner.disconnected(code, reason, closedTooBig(this.ws));
  }
}

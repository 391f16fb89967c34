import type { IncomingHttpHeaders } from "node:http";
import { FragmentInterleavedError, SessionClosedError } from "../errors.js";
import { unpackHeaders, type StoredHeaders } from "./packed-headers.js";
import type { ObjectEncoder } from "../codec/coders.js";
import type { Transport } from "../transport/transport.js";
import { CloseCodes, CloseReason, isSendableCloseCode } from "../close-reason.js";
import { OUT, type OutKind } from "./outbound-entry.js";
import { OutboundQueue } from "./outbound-queue.js";
import { PendingSend, type AsyncSendHandle } from "./pending-send.js";
import { checkMessageType, encodePush, requestTimeoutOf } from "./envelope-sends.js";
import type { MessageProtocol } from "./message-protocol.js";
import type { ContractShape } from "../contract/contract.js";
import type { ContractSession } from "../contract/session-types.js";
import { PendingRequests } from "./pending-requests.js";
import type { RemoteEndpoint } from "./remote-endpoint.js";
import { AsyncRemote, BasicRemote, type RemoteHost } from "./remotes.js";
import { ReadOnlySet } from "./read-only-collections.js";
import { freezeHeaders, nextSessionNumber, parameterMap, sessionId, WatchedProperties } from "./session-info.js";
import type { OutboundRecorder } from "./outbound-recorder.js";
import type { RoomMembership } from "./room-membership.js";
import { checkRoom } from "./room-name.js";
import { Session } from "./session.js";

/** What the handshake established about a connection. */
export interface HandshakeInfo {
  readonly path: string;
  readonly query: string;
  /** Replaced by the unpacked object the first time the session is asked for it. */
  headers: StoredHeaders;
  readonly remoteAddress: string;
  readonly pathParams: Readonly<Record<string, string>>;
  readonly subprotocol: string;
  readonly principal?: unknown;
  /** Values the handshake configurator stored for the session's user properties. */
  readonly userProperties?: ReadonlyMap<string, unknown>;
}

/** @hidden What a session tells its server's liveness monitor. */
export interface LivenessHost {
  idleTimeoutChanged(session: WsSession): void;
}

const STATE = { OPEN: 0, CLOSING: 1, CLOSED: 2 } as const;
type State = (typeof STATE)[keyof typeof STATE];

// Shared by every session in no room: a plain Set here would let one caller add a room to all of them.
const NO_ROOMS: ReadonlySet<string> = new ReadOnlySet([], "getRooms()");

/** What the dispatcher asks before it handles a message (runtime/rate-limit.ts's token bucket). */
export interface SessionRateLimiter {
  admit(session: WsSession): number;
}

/** @hidden The session of one `ws` connection, server or client (`ClientSessionImpl` extends it): the public `Session` over a transport and an outbound queue. */
export class WsSession extends Session implements RemoteHost {
  /** The session id, or its number until first asked for. */
  private sid: string | number;
  /** @internal */
  readonly info: HandshakeInfo;
  /** @internal */
  readonly transport: Transport;
  /** @internal */
  readonly outbound: OutboundQueue;
  private readonly openSessions: Set<Session>;
  /** @internal The endpoint's object encoder (broadcasts encode once per distinct encoder). */
  readonly encoder: ObjectEncoder;
  private state: State = STATE.OPEN;
  private fragmenting: OutKind | -1 = -1;
  private userProperties: Map<string, unknown> | undefined;
  private parameterMap: ReadonlyMap<string, readonly string[]> | undefined;
  private basic: BasicRemote | undefined;
  private async: AsyncRemote | undefined;
  // ── Runtime slots ──────────────────────────────────────────────────────────────────────────────────
  // Written by other modules and read on the message path. Plain fields, not an object their writer owns:
  // a sub-object would cost an allocation per session (T5, idle memory per session: docs/performance.md)
  // and an extra load per message. Writers:
  //   openConnection (runtime/connection.ts), once, from its owner's ConnectionPlan: `rateLimiter`.
  //   LivenessMonitor (server/heartbeat.ts): `liveness`, `heartbeatInterval`, `nextPing` and `lastActive`
  //     (on `track` and on each tick); `awaitingPong` set when it pings; `active` cleared when it looks.
  //   SessionDispatcher (runtime/dispatcher.ts): `active` on each message in; `awaitingPong` cleared on a pong.
  //   `submit` (below): `active` on each data frame out.
  //   `closeReporting` (below, called by the liveness monitor): `reportedClose`, read by the dispatcher's @OnClose.
  //   openConnection, once: `protocol` (the endpoint's, shared). `request` (below): `requests`, on first use,
  //     read by the dispatcher on each text message (null: the session never asked the peer anything).
  /** @internal A data message went either way since the liveness monitor last looked. */
  active = false;
  /** @internal A heartbeat ping is unanswered. */
  awaitingPong = false;
  /** @internal Monotonic ms of the last activity the monitor saw, and when the next ping is due. */
  lastActive = 0;
  /** @internal */
  nextPing = 0;
  /** @internal Heartbeat interval of this session's endpoint (0: none). */
  heartbeatInterval = 0;
  /** @internal Inbound rate limit (null: none). */
  rateLimiter: SessionRateLimiter | null = null;
  /** @internal Told when the idle timeout changes (null: no monitor watches this session). */
  liveness: LivenessHost | null = null;
  /** @internal What `@OnClose` reports for a close the server started on its own (see `closeReporting`). */
  reportedClose: CloseReason | null = null;
  /** @internal Envelope fields, contract and encoding of `send`/`request` (null: not opened by an endpoint yet). */
  protocol: MessageProtocol | null = null;
  /** @internal Server requests waiting for the peer's `$reply`; created by the first `request`. */
  requests: PendingRequests | null = null;
  /** @internal Session recovery (recovery/session-recorder.ts) records what this session sends; null: not recoverable. */
  recorder: OutboundRecorder | null = null;
  // ── End of runtime slots ───────────────────────────────────────────────────────────────────────────
  private maxIdle = 0;
  private rooms: Set<string> | undefined;
  private registry: RoomMembership | null = null;

  constructor(transport: Transport, info: HandshakeInfo, openSessions: Set<Session>, encoder: ObjectEncoder, id?: string) {
    super();
    this.sid = id ?? nextSessionNumber();
    this.transport = transport;
    this.info = info;
    this.openSessions = openSessions;
    this.encoder = encoder;
    this.outbound = new OutboundQueue(transport);
    openSessions.add(this);
  }

  /** The session id (also returned by `getId()`). */
  get id(): string {
    const sid = this.sid;
    return typeof sid === "string" ? sid : (this.sid = sessionId(sid));
  }

  getId(): string {
    return this.id;
  }
  getPathParameters(): Readonly<Record<string, string>> {
    return this.info.pathParams;
  }
  getQueryString(): string {
    return this.info.query;
  }
  getRequestParameterMap(): ReadonlyMap<string, readonly string[]> {
    return (this.parameterMap ??= parameterMap(this.info.query));
  }
  getRequestHeaders(): Readonly<IncomingHttpHeaders> {
    const stored = this.info.headers;
    if (typeof stored !== "string" && Object.isFrozen(stored)) return stored;
    // Frozen once, on first use; an unpacked object is ours, a kept one is copied (it may be the caller's).
    return (this.info.headers = freezeHeaders(typeof stored === "string" ? unpackHeaders(stored) : { ...stored }));
  }
  getRequestPath(): string {
    return this.info.path;
  }
  getUserProperties(): Map<string, unknown> {
    if (this.userProperties === undefined) {
      const props = new WatchedProperties(this);
      // Entries set by the handshake hooks; copied without notifying, the room registry reads them when it binds.
      for (const [k, v] of this.info.userProperties ?? []) Map.prototype.set.call(props, k, v);
      this.userProperties = props;
    }
    return this.userProperties;
  }
  getOpenSessions(): ReadonlySet<Session> {
    // A copy, as the spec says: the caller may keep or change it without touching the server's registry.
    return new Set(this.openSessions);
  }
  isOpen(): boolean {
    return this.state === STATE.OPEN && this.transport.isOpen;
  }
  getNegotiatedSubprotocol(): string {
    return this.info.subprotocol;
  }
  getRemoteAddress(): string {
    return this.info.remoteAddress;
  }
  getUserPrincipal(): unknown {
    return this.info.principal;
  }
  getBasicRemote(): RemoteEndpoint.Basic {
    return (this.basic ??= new BasicRemote(this));
  }
  getAsyncRemote(): RemoteEndpoint.Async {
    return (this.async ??= new AsyncRemote(this));
  }
  getMaxIdleTimeout(): number {
    return this.maxIdle;
  }
  setMaxIdleTimeout(ms: number): void {
    if (typeof ms !== "number" || !Number.isInteger(ms) || ms < 0) {
      throw new RangeError(`setMaxIdleTimeout: ms must be a non-negative integer (0 disables); got ${String(ms)}.`);
    }
    this.maxIdle = ms;
    this.liveness?.idleTimeoutChanged(this);
  }
  getBufferedAmount(): number {
    return this.outbound.queuedBytes + (this.transport.isOpen ? this.transport.bufferedAmount : 0);
  }
  getOutboundQueueDepth(): number {
    return this.outbound.depth;
  }
  override isRecovered(): boolean {
    return this.recorder !== null && this.recorder.recovered;
  }

  join(room: string): void {
    checkRoom(room, "session.join");
    if (this.state !== STATE.OPEN) return;
    const rooms = (this.rooms ??= new Set());
    if (rooms.has(room)) return;
    rooms.add(room);
    this.registry?.joined(this, room);
    this.recorder?.changed();
  }

  leave(room: string): void {
    if (typeof room !== "string") throw new TypeError(`session.leave: room must be a string; got ${typeof room}.`);
    if (this.state !== STATE.OPEN || this.rooms === undefined || !this.rooms.delete(room)) return;
    this.registry?.left(this, room);
    this.recorder?.changed();
  }

  getRooms(): ReadonlySet<string> {
    // A read-only copy: deleting from the live set would leave the room registry out of step.
    return this.rooms === undefined || this.rooms.size === 0 ? NO_ROOMS : new ReadOnlySet(this.rooms, "getRooms()");
  }

  /** @internal The server's room registry now tracks this session. */
  bindRegistry(registry: RoomMembership): void {
    this.registry = registry;
  }

  /** @internal */
  userPropertiesChanged(): void {
    this.registry?.userMayHaveChanged(this);
    this.recorder?.changed();
  }

  close(reason: CloseReason = NORMAL): void {
    if (!(reason instanceof CloseReason)) {
      throw new TypeError("session.close(reason): reason must be a CloseReason, e.g. new CloseReason(CloseCodes.NORMAL_CLOSURE, \"bye\").");
    }
    const code = reason.getCloseCode();
    if (!isSendableCloseCode(code)) {
      throw new RangeError(`session.close: code ${code} may not be sent in a close frame; use 1000–1003, 1007–1014 or 3000–4999.`);
    }
    this.closeWith(code, reason.getReasonPhrase());
  }

  /** @internal Starts the close handshake after everything already queued. */
  closeWith(code: number, reason: string): void {
    if (this.state !== STATE.OPEN) return;
    this.state = STATE.CLOSING;
    this.openSessions.delete(this);
    this.registry?.remove(this);
    this.recorder?.leaving(code, true);
    this.outbound.push(OUT.CLOSE, reason, true, undefined, undefined, code);
  }

  /**
   * @internal A close the server decides on its own (the idle timeout): `@OnClose` reports the code and
   * reason sent here, not the peer's answer, which may be another code or, from a dead peer, nothing
   * (1006 after `closeTimeout`).
   */
  closeReporting(code: number, reason: string): void {
    if (this.state !== STATE.OPEN) return;
    this.reportedClose = new CloseReason(code, reason);
    this.closeWith(code, reason);
  }

  /** @internal The transport is gone (`code`: the close code the dispatcher saw): sends still queued fail, and requests still waiting for a reply. */
  markClosed(code?: number): void {
    this.state = STATE.CLOSED;
    this.openSessions.delete(this);
    // Always: besides queued entries, sends already handed to the socket may hold the send-timeout timer.
    this.outbound.abort();
    this.registry?.remove(this);
    this.recorder?.leaving(code, false);
    if (this.requests !== null) this.requests.rejectAll(new SessionClosedError("The session closed before the peer answered the request."));
  }

  send(type: string, payload: object): AsyncSendHandle {
    const text = encodePush(checkMessageType(this.protocol, "send", type), type, payload);
    return typeof text === "string" ? this.getAsyncRemote().sendText(text) : PendingSend.failed(text);
  }

  request(type: string, payload: object, options?: { timeout?: number | undefined }): Promise<unknown> {
    const p = checkMessageType(this.protocol, "request", type);
    const timeout = requestTimeoutOf(p, options);
    if (!this.isOpen()) return Promise.reject(new SessionClosedError("The session is closed; the request was not sent."));
    return (this.requests ??= new PendingRequests(p, this.recorder?.nextOffset ?? 0)).start(type, payload, timeout, (text) => this.submit(OUT.TEXT, text, true, undefined, undefined));
  }

  typed<C extends ContractShape>(contract: C): ContractSession<C> {
    const declared = this.protocol?.contract;
    if (declared != null && declared !== contract) throw new TypeError("session.typed(contract): this endpoint declares another contract (its @ServerEndpoint contract option); pass that one.");
    return this as unknown as ContractSession<C>;
  }

  /** @internal The outbound queue's "close" policy fired: the close frame goes out past the discarded queue. */
  closeForOverflow(code: number, reason: string): void {
    if (this.state !== STATE.OPEN) return;
    this.state = STATE.CLOSING;
    this.openSessions.delete(this);
    this.registry?.remove(this);
    this.recorder?.leaving(code, true);
    this.transport.close(code, reason);
  }

  /** @internal */
  submit(
    kind: OutKind,
    data: string | Buffer | readonly Buffer[],
    fin: boolean,
    done: ((error?: Error) => void) | undefined,
    pending: PendingSend | undefined,
    partial = false,
    awaited = false,
  ): Error | undefined {
    if (this.state !== STATE.OPEN || !this.transport.isOpen) {
      this.outbound.counters.outboundDropped++;
      // A recoverable session whose connection died before its close event came (ws is CLOSING a few
      // ticks): the message is numbered all the same, so its client gets it in the replay.
      if (this.recorder !== null && this.state === STATE.OPEN && fin && !partial && this.fragmenting === -1 && kind !== OUT.PING && kind !== OUT.PONG) this.recorder.record(kind, data, true);
      return new SessionClosedError();
    }
    // Control frames may sit between fragments (RFC 6455 §5.4); data frames may not.
    if (this.fragmenting !== -1 && kind !== OUT.PING && kind !== OUT.PONG && !(partial && kind === this.fragmenting)) {
      const open = this.fragmenting === OUT.TEXT ? "text" : "binary";
      return new FragmentInterleavedError(
        `Cannot send another message while a fragmented ${open} message is unfinished; send its last part with getBasicRemote().send${open === "text" ? "Text" : "Binary"}(part, true) first.`,
      );
    }
    // Only pieces of a fragmented message are protected from the drop policies (a gap would corrupt it).
    const fragment = partial && (!fin || this.fragmenting !== -1);
    const refused = this.outbound.push(kind, data, fin, done, pending, 0, awaited, fragment);
    if (refused !== undefined) return refused;
    if (partial) {
      if (!fin) this.fragmenting = kind;
      else if (this.fragmenting !== -1) {
        this.fragmenting = -1;
        this.outbound.releaseDeferred();
      }
    }
    if (kind !== OUT.PING && kind !== OUT.PONG) {
      this.active = true;
      if (this.recorder !== null) this.recorder.record(kind, data, fin);
    }
    return undefined;
  }

  /**
   * @internal A whole message from another sender (a broadcast). It cannot be refused for this session's
   * open fragmented message, since the sender did not open it: it is held, within the outbound bounds,
   * and sent after the last fragment.
   */
  deliver(kind: OutKind, data: string | Buffer | readonly Buffer[]): Error | undefined {
    if (this.fragmenting === -1 || this.state !== STATE.OPEN || !this.transport.isOpen) return this.submit(kind, data, true, undefined, undefined);
    const refused = this.outbound.defer(kind, data);
    if (refused === undefined && this.recorder !== null) this.recorder.hold(kind, data);
    return refused;
  }

  /** @internal */
  encode(value: unknown): { data: string | Buffer; binary: boolean } {
    return this.encoder(value);
  }
}

const NORMAL = new CloseReason(CloseCodes.NORMAL_CLOSURE);

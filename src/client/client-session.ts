import { CloseReason } from "../close-reason.js";
import type { ObjectEncoder } from "../codec/coders.js";
import { WsSession, type HandshakeInfo } from "../session/ws-session.js";
import { OUT } from "../session/outbound-entry.js";
import { Session } from "../session/session.js";
import type { ClientTransport } from "./client-transport.js";
import type { RecoveryRefusal, RecoveryStatus } from "../contract/recovery-wire.js";

/**
 * The session `connectToServer` resolves to. It stays the same object across reconnects: `isOpen()`
 * remains true while the client reconnects (sends are held and delivered, in order, on the next
 * connection) and turns false only when the session has ended for good.
 */
export interface ClientSession extends Session {
  /** Whether a connection is open right now (false while reconnecting). */
  isConnected(): boolean;
  /** Resolves once the session has ended for good (no further reconnect) with the reason of the last close. */
  readonly closed: Promise<CloseReason>;
  /**
   * Session recovery of the current connection: null when `recovery` is off, or the server endpoint has
   * no recovery. Read it in `@OnOpen`: it is set before `@OnOpen` runs on each connection.
   */
  getRecovery(): RecoveryStatus | null;
}

/** What the session needs to know from its connection. */
export interface SessionControl {
  /** True while a lost connection will be (or is being) replaced. */
  readonly reconnecting: boolean;
  /** Whether reconnecting is configured at all. */
  readonly mayReconnect: boolean;
}

/**
 * @hidden One `WsSession` for the client's whole life, over a {@link ClientTransport}. Each
 * connection runs its own dispatcher on it, so handlers receive this object on every connection and
 * what they keep of it stays usable. Only closes the application asks for (or a final disconnect) end it.
 */
export class ClientSessionImpl extends WsSession implements ClientSession {
  readonly closed: Promise<CloseReason>;
  /** @internal */ resolveClosed!: (reason: CloseReason) => void;
  private subprotocol = "";
  private remoteAddress = "";
  private byApplication = false;

  constructor(
    private readonly link: ClientTransport,
    info: HandshakeInfo,
    openSessions: Set<Session>,
    encoder: ObjectEncoder,
    private readonly control: SessionControl,
  ) {
    super(link, info, openSessions, encoder);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  isConnected(): boolean {
    return this.link.connected;
  }

  override getNegotiatedSubprotocol(): string {
    return this.subprotocol;
  }

  override getRemoteAddress(): string {
    return this.remoteAddress;
  }

  /** @internal Set by the connection when the server's control message arrives. */
  recovery: { sessionId: string; recovered: boolean; refused: RecoveryRefusal | undefined } | null = null;
  /** @internal Data messages received in the server session (the connection counts them). */
  received = 0;

  getRecovery(): RecoveryStatus | null {
    const r = this.recovery;
    return r === null ? null : { ...r, offset: this.received };
  }

  /** True once the application closed the session (no reconnect follows). */
  get closedByApplication(): boolean {
    return this.byApplication;
  }

  override close(reason?: CloseReason): void {
    this.byApplication = true;
    try {
      super.close(reason);
    } catch (error) {
      this.byApplication = false;
      throw error;
    }
  }

  /**
   * A close the framework starts (1011 after a handler failure, 1009 …) ends this connection only when
   * reconnecting is on: the session stays open and the close frame still leaves after what was queued.
   */
  override closeWith(code: number, reason: string): void {
    if (this.byApplication || !this.control.mayReconnect) return super.closeWith(code, reason);
    if (!this.isOpen()) return;
    this.outbound.push(OUT.CLOSE, reason, true, undefined, undefined, code);
  }

  /** The dispatcher reports its connection gone; the session itself ends only when no reconnect follows. */
  override markClosed(code?: number): void {
    if (!this.control.reconnecting) super.markClosed(code);
  }

  /** @internal A new connection is open. */
  connected(subprotocol: string, remoteAddress: string): void {
    this.subprotocol = subprotocol;
    this.remoteAddress = remoteAddress;
  }

  /** @internal The session has ended for good. */
  finish(reason: CloseReason): void {
    super.markClosed();
    this.resolveClosed(reason);
  }
}

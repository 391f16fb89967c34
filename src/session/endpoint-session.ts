import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { FragmentInterleavedError, SessionClosedError } from "../errors.js";
import type { Transport } from "../transport/transport.js";
import { CloseCodes, CloseReason, isSendableCloseCode } from "./close-reason.js";
import { OUT, OutboundQueue, type OutKind } from "./outbound-queue.js";
import type { PendingSend } from "./pending-send.js";
import type { RemoteEndpoint } from "./remote-endpoint.js";
import { AsyncRemote, BasicRemote, type RemoteHost } from "./remotes.js";
import { Session } from "./session.js";

/** Encodes an outbound object into a frame payload. */
export type ObjectEncoder = (value: unknown) => { data: string | Buffer; binary: boolean };

/** What the handshake established about a connection. */
export interface HandshakeInfo {
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string;
  readonly pathParams: Readonly<Record<string, string>>;
  readonly subprotocol: string;
  readonly principal?: unknown;
}

const STATE = { OPEN: 0, CLOSING: 1, CLOSED: 2 } as const;
type State = (typeof STATE)[keyof typeof STATE];

const EMPTY_PARAMS: ReadonlyMap<string, readonly string[]> = new Map();

/** @internal The runtime session: the public `Session` over a transport and an outbound queue. */
export class EndpointSession extends Session implements RemoteHost {
  /** The session id (also returned by `getId()`). */
  readonly id: string;
  /** @internal */
  readonly info: HandshakeInfo;
  /** @internal */
  readonly transport: Transport;
  /** @internal */
  readonly outbound: OutboundQueue;
  private readonly openSessions: Set<Session>;
  private readonly encoder: ObjectEncoder;
  private state: State = STATE.OPEN;
  private fragmenting: OutKind | -1 = -1;
  private userProperties: Map<string, unknown> | undefined;
  private parameterMap: ReadonlyMap<string, readonly string[]> | undefined;
  private basic: BasicRemote | undefined;
  private async: AsyncRemote | undefined;

  constructor(transport: Transport, info: HandshakeInfo, openSessions: Set<Session>, encoder: ObjectEncoder, id?: string) {
    super();
    this.id = id ?? randomUUID();
    this.transport = transport;
    this.info = info;
    this.openSessions = openSessions;
    this.encoder = encoder;
    this.outbound = new OutboundQueue(transport);
    openSessions.add(this);
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
    if (this.parameterMap === undefined) {
      if (this.info.query === "") this.parameterMap = EMPTY_PARAMS;
      else {
        const map = new Map<string, string[]>();
        for (const [k, v] of new URLSearchParams(this.info.query)) {
          const list = map.get(k);
          if (list) list.push(v);
          else map.set(k, [v]);
        }
        this.parameterMap = map;
      }
    }
    return this.parameterMap;
  }
  getRequestHeaders(): Readonly<IncomingHttpHeaders> {
    return this.info.headers;
  }
  getRequestPath(): string {
    return this.info.path;
  }
  getUserProperties(): Map<string, unknown> {
    return (this.userProperties ??= new Map());
  }
  getOpenSessions(): ReadonlySet<Session> {
    return this.openSessions;
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
    this.outbound.push(OUT.CLOSE, reason, true, undefined, undefined, code);
  }

  /** @internal The transport is gone. */
  markClosed(): void {
    this.state = STATE.CLOSED;
    this.openSessions.delete(this);
  }

  /** @internal */
  submit(
    kind: OutKind,
    data: string | Buffer | readonly Buffer[],
    fin: boolean,
    done: ((error?: Error) => void) | undefined,
    pending: PendingSend | undefined,
    partial = false,
  ): Error | undefined {
    if (this.state !== STATE.OPEN || !this.transport.isOpen) {
      this.outbound.counters.outboundDropped++;
      return new SessionClosedError();
    }
    // Control frames may sit between fragments (RFC 6455 §5.4); data frames may not.
    if (this.fragmenting !== -1 && kind !== OUT.PING && kind !== OUT.PONG && !(partial && kind === this.fragmenting)) {
      const open = this.fragmenting === OUT.TEXT ? "text" : "binary";
      return new FragmentInterleavedError(
        `Cannot send another message while a fragmented ${open} message is unfinished; send its last part with getBasicRemote().send${open === "text" ? "Text" : "Binary"}(part, true) first.`,
      );
    }
    if (partial) this.fragmenting = fin ? -1 : kind;
    this.outbound.push(kind, data, fin, done, pending);
    return undefined;
  }

  /** @internal */
  encode(value: unknown): { data: string | Buffer; binary: boolean } {
    return this.encoder(value);
  }
}

const NORMAL = new CloseReason(CloseCodes.NORMAL_CLOSURE);

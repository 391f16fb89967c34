import type { IncomingHttpHeaders } from "node:http";
import { jsonEncoder } from "../codec/json.js";
import type { ObjectEncoder } from "../codec/coders.js";
import { WsSession } from "../session/ws-session.js";
import { messageEncoder } from "../codec/message-encoder.js";
import { DEFAULT_MAX_PENDING_REQUESTS, DEFAULT_REQUEST_TIMEOUT } from "../endpoint/compile-contract.js";
import { REPLY_TYPE } from "../session/message-protocol.js";
import type { ContractShape } from "../contract/contract.js";
import type { Session } from "../session/session.js";
import { InMemoryTransport, type SentMessage } from "./in-memory-transport.js";

/** What a test can set on a {@link MockSession}. */
export interface MockSessionOptions {
  /** Session id (default: a random UUID). */
  id?: string | undefined;
  /** Request path (default `/`). */
  path?: string | undefined;
  /** Values of the path template variables, e.g. `{ room: "lobby" }`. */
  pathParameters?: Record<string, string> | undefined;
  /** Query string without `?`. */
  query?: string | undefined;
  /** Handshake request headers (lower-case names). */
  headers?: IncomingHttpHeaders | undefined;
  /** Peer address (default `127.0.0.1`). */
  remoteAddress?: string | undefined;
  /** Negotiated subprotocol (default none). */
  subprotocol?: string | undefined;
  /** What `getUserPrincipal()` returns (an authenticated user). */
  principal?: unknown | undefined;
  /** Initial entries of `getUserProperties()`. */
  userProperties?: Record<string, unknown> | undefined;
  /** Share one set to simulate other open sessions of the endpoint. */
  openSessions?: Set<Session> | undefined;
  /** Object encoder for `sendObject` (default JSON). */
  encoder?: ObjectEncoder | undefined;
  /**
   * The endpoint's contract: `send`/`request` then refuse types its `server` section lacks, as on a server,
   * and `typed()` refuses another contract.
   */
  contract?: ContractShape | undefined;
}

/**
 * A real `Session` with no socket behind it: everything the endpoint sends is recorded, in order, as
 * the peer would receive it. Pass it to endpoint methods directly in unit tests.
 *
 * @example
 * ```ts
 * const session = new MockSession({ pathParameters: { room: "lobby" } });
 * await new ChatEndpoint(new RoomService()).open(session, "lobby");
 * expect(session.lastSent()).toEqual({ type: "text", data: "welcome to lobby" });
 * ```
 */
export class MockSession extends WsSession {
  /** @internal */
  readonly memory: InMemoryTransport;

  constructor(options: MockSessionOptions = {}, transport: InMemoryTransport = new InMemoryTransport()) {
    super(
      transport,
      {
        path: options.path ?? "/",
        query: options.query ?? "",
        headers: options.headers ?? {},
        remoteAddress: options.remoteAddress ?? "127.0.0.1",
        pathParams: Object.freeze({ ...options.pathParameters }),
        subprotocol: options.subprotocol ?? "",
        principal: options.principal,
      },
      options.openSessions ?? new Set(),
      options.encoder ?? jsonEncoder,
      options.id,
    );
    this.memory = transport;
    const encode = options.encoder ?? jsonEncoder;
    // The default envelope and request bounds of an endpoint without options; no contract check.
    this.protocol = Object.freeze({
      typeField: "type",
      idField: "id",
      maxPendingRequests: DEFAULT_MAX_PENDING_REQUESTS,
      requestTimeout: DEFAULT_REQUEST_TIMEOUT,
      serverMessages: options.contract === undefined ? null : new Map(Object.entries(options.contract.server).map(([type, spec]) => [type, spec.reply !== undefined])),
      contract: options.contract ?? null,
      encode: messageEncoder(encode, { typeField: "type", idField: "id", dataField: null }),
    });
    for (const [k, v] of Object.entries(options.userProperties ?? {})) this.getUserProperties().set(k, v);
  }

  /** Every message sent so far, in order (fragmented sends appear once, whole). */
  get sent(): readonly SentMessage[] {
    this.outbound.flush();
    return this.memory.sent;
  }

  /** Text messages sent so far. */
  sentTexts(): string[] {
    return this.sent.flatMap((m) => (m.type === "text" ? [m.data] : []));
  }

  /** Text messages parsed as JSON. */
  sentJson<T = unknown>(): T[] {
    return this.sentTexts().map((t) => JSON.parse(t) as T);
  }

  /** The last message sent, or `undefined`. */
  lastSent(): SentMessage | undefined {
    const s = this.sent;
    return s[s.length - 1];
  }

  /** Forgets recorded messages. */
  clearSent(): void {
    this.memory.sent.length = 0;
  }

  /** The close frame the endpoint sent, or `undefined` while it has not closed the session. */
  get closedWith(): { readonly code: number; readonly reason: string } | undefined {
    this.outbound.flush();
    return this.memory.closeFrame;
  }

  /**
   * Answers a request the endpoint made with `session.request` as a client would, with
   * `{"type":"$reply","id":id,"ok":true,"data":data}`: the request resolves with `data`.
   *
   * @example
   * ```ts
   * const leaving = endpoint.leave(session);          // awaits session.request("confirm", …)
   * const [ask] = session.sentJson<{ id: string }>();  // {"type":"confirm","id":"s1",…}
   * session.replyTo(ask!.id, { accepted: true });
   * await leaving;
   * ```
   * @throws Error when no request `id` is waiting (never sent, already answered, or timed out).
   */
  replyTo(id: string, data: unknown): void {
    this.answer(id, { ok: true, data });
  }

  /** Answers a request with `ok: false`: it rejects with `RequestFailedError` whose `reason` is `code`. @throws Error as {@link replyTo}. */
  failRequest(id: string, code: string, message = ""): void {
    this.answer(id, { ok: false, error: { code, message } });
  }

  private answer(id: string, fields: Record<string, unknown>): void {
    if (this.requests === null || !this.requests.has(id)) throw new Error(`MockSession: no request ${JSON.stringify(id)} is waiting for a reply.`);
    this.requests.take(Buffer.from(JSON.stringify({ type: REPLY_TYPE, id, ...fields })));
  }
}

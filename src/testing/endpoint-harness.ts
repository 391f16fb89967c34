import type { IncomingHttpHeaders } from "node:http";
import { container as rootContainer, type DependencyContainer, type InjectionToken } from "tsyringe";
import type { EndpointClass } from "../../decorators/metadata.js";
import type { Broadcaster, Presence } from "../broker/broadcaster.js";
import type { UserIdSource } from "../broker/rooms.js";
import type { CodecOptions } from "../codec/codec-options.js";
import { silentLogger, type Logger } from "../metrics/logger.js";
import type { ServerMetrics } from "../metrics/metrics.js";
import { metricsSnapshot } from "../server/metrics-snapshot.js";
import type { SessionDispatcher } from "../runtime/dispatcher.js";
import { HandshakeRejectedError } from "../errors.js";
import { createEndpointServer } from "../server/bootstrap.js";
import { checkHandshakeParams } from "../server/handshake-params.js";
import type { EndpointServer } from "../server/endpoint-server.js";
import { MALFORMED } from "../server/router.js";
import type { Session } from "../session/session.js";
import type { SentMessage } from "./in-memory-transport.js";
import { MockSession } from "./mock-session.js";

/** A DI override: a token and the value or class to use for it. */
export type Provider = readonly [InjectionToken<unknown>, { useValue: unknown } | { useClass: new (...args: never[]) => unknown }];

/** Options of {@link EndpointHarness.create}. */
export interface HarnessOptions {
  /** Services to replace for this harness only (e.g. fakes). */
  providers?: readonly Provider[] | undefined;
  /** Parent container (default: tsyringe's root container). */
  container?: DependencyContainer | undefined;
  /** Default: silent. */
  logger?: Logger | undefined;
  /** Inbound message limit, as in bootstrap. */
  maxMessageSize?: number | undefined;
  /** Where a session's user id comes from, as in bootstrap (default `"principal"`). */
  userId?: UserIdSource | undefined;
  /** Async handler bound in ms, as in bootstrap (default 30000; 0 disables). */
  handlerTimeout?: number | undefined;
  /** Global codec settings, as in bootstrap. */
  codecs?: CodecOptions | undefined;
  /** Queued inbound messages above which the connection stops reading, as in bootstrap (default 1024). */
  inboundQueueLimit?: number | undefined;
  /** Queued inbound bytes above which the connection stops reading, as in bootstrap (default 4 MiB). */
  inboundQueueBytes?: number | undefined;
  /** Queued inbound bytes across this harness's connections, as in bootstrap (default 64 MiB). */
  inboundBudget?: number | undefined;
}

/** What a test sets about one simulated connection. */
export interface HarnessConnectOptions {
  /** Request path; required when the endpoint path is a template. */
  path?: string | undefined;
  /** Query string without `?`. */
  query?: string | undefined;
  /** Handshake request headers (lower-case names). */
  headers?: IncomingHttpHeaders | undefined;
  /** Peer address (default `127.0.0.1`). */
  remoteAddress?: string | undefined;
  /** What `session.getUserPrincipal()` returns. */
  principal?: unknown | undefined;
  /** Negotiated subprotocol (default none). */
  subprotocol?: string | undefined;
}

/**
 * Drives a compiled endpoint through the production dispatcher (ordering, error routing, argument
 * resolution, replies) without a socket.
 *
 * @example
 * ```ts
 * const harness = EndpointHarness.create(ChatEndpoint, { providers: [[Clock, { useValue: fakeClock }]] });
 * const alice = await harness.connect({ path: "/chat/alice" });
 * await alice.receive(JSON.stringify({ text: "hi" }));
 * expect(alice.session.sentJson()).toContainEqual({ type: "chat", from: "alice", text: "hi" });
 * await alice.close(1000);
 * ```
 */
export class EndpointHarness {
  private constructor(private readonly server: EndpointServer) {}

  /** Compiles `endpoint` exactly as bootstrap would. @throws EndpointDefinitionError */
  static create(endpoint: EndpointClass, options: HarnessOptions = {}): EndpointHarness {
    const container = (options.container ?? rootContainer).createChildContainer();
    for (const [token, provider] of options.providers ?? []) container.register(token as never, provider as never);
    const { server } = createEndpointServer({
      endpoints: [endpoint],
      container,
      logger: options.logger ?? silentLogger,
      maxMessageSize: options.maxMessageSize,
      userId: options.userId,
      handlerTimeout: options.handlerTimeout,
      codecs: options.codecs,
      inboundQueueLimit: options.inboundQueueLimit,
      inboundQueueBytes: options.inboundQueueBytes,
      inboundBudget: options.inboundBudget,
      // Harness sessions have no socket to ping; tests drive time themselves.
      heartbeatInterval: 0,
    });
    return new EndpointHarness(server);
  }

  /** The Broadcaster the endpoint's constructor receives (this harness alone: no broker). */
  get broadcaster(): Broadcaster {
    return this.server.hub;
  }

  /** The Presence the endpoint's constructor receives. */
  get presence(): Presence {
    return this.server.hub.presence;
  }

  /** The harness server's counters and gauges, as `ServerHandle.metrics()` returns them. */
  metrics(): ServerMetrics {
    return metricsSnapshot(this.server);
  }

  /** Open sessions of the endpoint. */
  get openSessions(): ReadonlySet<Session> {
    return this.server.openSessionsOf(this.server.endpoints[0]!);
  }

  /**
   * Opens a simulated connection and waits for `@OnOpen` to finish.
   * @throws HandshakeRejectedError (status 400) for a typed path or query parameter that does not convert, as a server refuses it.
   */
  async connect(options: HarnessConnectOptions = {}): Promise<HarnessConnection> {
    const ep = this.server.endpoints[0]!;
    const url = options.path ?? ep.template.source;
    const match = this.server.route(url);
    if (match === null || match === MALFORMED || match.endpoint !== ep) {
      throw new TypeError(`connect: path ${JSON.stringify(url)} does not match ${ep.name}'s path ${JSON.stringify(ep.template.source)}.`);
    }
    // The handshake's own check: a server would answer these with HTTP 400 before any handler runs.
    const bad = checkHandshakeParams(ep, match.params, options.query ?? "");
    if (bad !== undefined) throw new HandshakeRejectedError(400, bad);
    const session = new MockSession({
      path: url,
      pathParameters: { ...match.params },
      query: options.query,
      headers: options.headers,
      remoteAddress: options.remoteAddress,
      principal: options.principal,
      subprotocol: options.subprotocol,
      openSessions: this.server.openSessionsOf(ep),
      encoder: ep.encode,
    });
    const dispatcher = this.server.attach(ep, session.memory, session.info, session);
    if (dispatcher === null) throw new Error(`connect: ${ep.name} could not be constructed (see the logged error).`);
    const conn = new HarnessConnection(session, dispatcher);
    await conn.settled();
    return conn;
  }

  /** Closes every open connection as a server shutdown would (1001) and waits for their `@OnClose`. */
  shutdown(): Promise<void> {
    return this.server.close();
  }
}

/** One simulated connection of an {@link EndpointHarness}: the test plays the peer. */
export class HarnessConnection {
  /** @internal */
  constructor(
    /** The session the endpoint sees; it records everything sent to the peer. */
    readonly session: MockSession,
    private readonly dispatcher: SessionDispatcher,
  ) {}

  /** Messages the endpoint sent to this peer, in order. */
  get sent(): readonly SentMessage[] {
    return this.session.sent;
  }

  /** The last message sent to this peer. */
  lastSent(): SentMessage | undefined {
    return this.session.lastSent();
  }

  /** The peer sends a text (string) or binary message; resolves when the endpoint has handled it. */
  async receive(message: string | Buffer | ArrayBuffer | Uint8Array): Promise<void> {
    this.session.memory.peerSend(message);
    await this.settled();
  }

  /** The peer answers a ping with a pong. */
  async receivePong(data: Buffer = Buffer.alloc(0)): Promise<void> {
    this.session.memory.peerPong(data);
    await this.settled();
  }

  /** The peer closes with `code` (1005: a close frame without status); resolves after `@OnClose`. */
  async close(code = 1000, reason = ""): Promise<void> {
    this.session.memory.peerClose(code, reason);
    await this.settled();
  }

  /** The connection drops without a close frame (1006); resolves after `@OnClose`. */
  async drop(): Promise<void> {
    this.session.memory.peerDrop();
    await this.settled();
  }

  /** The close frame the endpoint sent, if it closed the session. */
  get closedWith(): { readonly code: number; readonly reason: string } | undefined {
    return this.session.closedWith;
  }

  /**
   * Waits until the endpoint has handled everything delivered so far and its sends are recorded, or until
   * it handles nothing more before the peer reads (its outbound queue is full while `memory.bufferedAmount`
   * says the peer is behind: call `session.memory.drain()`).
   */
  async settled(): Promise<void> {
    // Handlers may chain promises that enqueue more work (replies, close); loop until quiet.
    for (let i = 0; i < 100; i++) {
      await this.dispatcher.whenIdle();
      await new Promise<void>((r) => setImmediate(r));
      this.session.outbound.flush();
      if (this.dispatcher.depth === 0 && this.session.outbound.depth === 0) {
        await this.dispatcher.whenIdle();
        return;
      }
    }
  }
}

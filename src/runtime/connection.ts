import type { DependencyContainer } from "tsyringe";
import type { CompiledEndpointBase } from "../endpoint/compiled.js";
import { HandlerError } from "../errors.js";
import type { Logger } from "../metrics/logger.js";
import { connectionContainer } from "../di/injection.js";
import { CloseCodes } from "../close-reason.js";
import type { WsSession, SessionRateLimiter } from "../session/ws-session.js";
import type { OutboundLimits } from "../session/outbound-options.js";
import { SessionDispatcher, type DispatchEnv } from "./dispatcher.js";

/** The runtime limits of one endpoint's sessions (the server's `EndpointPolicy` is one). */
export interface SessionLimits {
  readonly outbound: OutboundLimits;
  /** Heartbeat ping interval in ms (0: none). */
  readonly heartbeatInterval: number;
  /** Idle timeout in ms (0: none). */
  readonly maxIdleTimeout: number;
}

/** Watches sessions for heartbeat and idle timeout (the server's `LivenessMonitor`). */
export interface LivenessTracker {
  track(session: WsSession, heartbeatInterval: number, maxIdleTimeout: number): void;
}

/**
 * Everything one connection needs, resolved by its owner (the server, which also serves the test
 * harness, or a client connection) before the connection opens. `openConnection` applies it as is:
 * what differs between owners is decided here, not by optional hooks.
 */
export interface ConnectionPlan {
  /** The session; the owner creates it (the client and the harness bring their own subclass). */
  readonly session: WsSession;
  /** The endpoint instance, from {@link createEndpointInstance}. */
  readonly instance: object;
  /** Outbound bounds, heartbeat and idle timeout; null: none apply (a client session keeps the queue's defaults). */
  readonly limits: SessionLimits | null;
  /** This session's own inbound rate limiter; null: not limited. */
  readonly rateLimiter: SessionRateLimiter | null;
  /** Enforces `limits`' heartbeat and idle timeout; null: nothing does (a client runs its own heartbeat). */
  readonly liveness: LivenessTracker | null;
}

/**
 * Creates the endpoint instance of a new session with `create` (the configurator's
 * `getEndpointInstance`; default `container.resolve`). The connection's child container
 * (`connectionContainer`) is created only when asked for, so container-scoped services are per connection. When creation throws
 * or yields no object, logs it, ends the session, closes the transport with 1011 and returns `null`.
 */
export function createEndpointInstance<E extends CompiledEndpointBase>(
  endpoint: E,
  session: WsSession,
  container: DependencyContainer,
  logger: Logger,
  create?: (endpoint: E, container: DependencyContainer, session: WsSession) => object,
): object | null {
  try {
    // `create` makes the child container itself when it needs one (connectionContainer): no closure per connection.
    const instance = create ? create(endpoint, container, session) : (connectionContainer(container, session).resolve(endpoint.type) as object);
    if (typeof instance !== "object" || instance === null) throw new TypeError(`getEndpointInstance returned ${instance === null ? "null" : typeof instance}, not an instance of ${endpoint.name}.`);
    return instance;
  } catch (error) {
    logger.error({ err: new HandlerError(`${endpoint.name}.constructor`, error) }, `${endpoint.name} could not be created`);
    session.markClosed();
    session.transport.close(CloseCodes.UNEXPECTED_CONDITION, "internal error");
    return null;
  }
}

/**
 * Turns a planned connection into a running one: applies the plan's limits to the session, creates
 * its dispatcher, binds it to the transport and queues @OnOpen.
 */
export function openConnection(endpoint: CompiledEndpointBase, plan: ConnectionPlan, env: DispatchEnv): SessionDispatcher {
  const { session, limits } = plan;
  if (limits !== null) session.outbound.configure(limits.outbound, session);
  session.rateLimiter = plan.rateLimiter;
  session.protocol = endpoint.protocol;
  if (limits !== null && plan.liveness !== null) plan.liveness.track(session, limits.heartbeatInterval, limits.maxIdleTimeout);
  const dispatcher = new SessionDispatcher(endpoint, plan.instance, session, env);
  session.transport.bind(dispatcher);
  dispatcher.start();
  return dispatcher;
}

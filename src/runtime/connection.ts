import type { DependencyContainer } from "tsyringe";
import type { CompiledEndpointBase } from "../endpoint/compiled.js";
import { HandlerError } from "../errors.js";
import type { Logger } from "../metrics/logger.js";
import { connectionContainer } from "../di/injection.js";
import { CloseCodes } from "../close-reason.js";
import { EndpointSession, type HandshakeInfo } from "../session/endpoint-session.js";
import type { Session } from "../session/session.js";
import type { Transport } from "../transport/transport.js";
import { SessionDispatcher } from "./dispatcher.js";
import type { HandlerTimeoutWheel } from "./handler-timeout.js";
import type { InboundBounds } from "./inbound-gate.js";

/** What opening a connection needs from its owner: the server in production, the harness in tests. */
export interface ConnectionOwner extends InboundBounds {
  readonly container: DependencyContainer;
  readonly logger: Logger;
  /** Bounds async handlers; `null` when `handlerTimeout` is 0. */
  readonly handlerTimeouts: HandlerTimeoutWheel | null;
  /** The live set of open sessions of an endpoint. */
  openSessionsOf(endpoint: CompiledEndpointBase): Set<Session>;
  /** Called once per connection after its @OnClose ran. */
  released(session: EndpointSession): void;
  /**
   * Creates the endpoint instance (the configurator's `getEndpointInstance`); default
   * `container.resolve`. `container()` creates the connection's child container, only when asked.
   */
  createInstance?(endpoint: CompiledEndpointBase, container: () => DependencyContainer): object;
  /** Applies the endpoint's runtime limits (outbound queue, rate limit, heartbeat, idle timeout). */
  configureSession?(endpoint: CompiledEndpointBase, session: EndpointSession): void;
}

/**
 * Turns an accepted transport into a running session: creates the session, the endpoint instance (in
 * a child container when it is resolved through DI, so container-scoped services are per connection)
 * and its dispatcher, then queues @OnOpen. Returns `null` when the endpoint could not be constructed (the peer gets 1011).
 */
export function openConnection(
  endpoint: CompiledEndpointBase,
  transport: Transport,
  info: HandshakeInfo,
  owner: ConnectionOwner,
  session?: EndpointSession,
): SessionDispatcher | null {
  const s = session ?? new EndpointSession(transport, info, owner.openSessionsOf(endpoint), endpoint.encode);
  let instance: object;
  try {
    const child = (): DependencyContainer => connectionContainer(owner.container, s);
    instance = owner.createInstance ? owner.createInstance(endpoint, child) : (child().resolve(endpoint.type) as object);
    if (typeof instance !== "object" || instance === null) throw new TypeError(`getEndpointInstance returned ${instance === null ? "null" : typeof instance}, not an instance of ${endpoint.name}.`);
  } catch (error) {
    owner.logger.error({ err: new HandlerError(`${endpoint.name}.constructor`, error) }, `${endpoint.name} could not be created`);
    s.markClosed();
    transport.close(CloseCodes.UNEXPECTED_CONDITION, "internal error");
    return null;
  }
  owner.configureSession?.(endpoint, s);
  const dispatcher = new SessionDispatcher(endpoint, instance, s, owner);
  transport.bind(dispatcher);
  dispatcher.start();
  return dispatcher;
}

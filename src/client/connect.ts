import type { IncomingHttpHeaders } from "node:http";
import type { EndpointClass } from "../../decorators/metadata.js";
import { compileClientEndpoint } from "../endpoint/compile-client.js";
import type { CompiledClientEndpoint } from "../endpoint/compiled.js";
import { compileSettings } from "../endpoint/compile-settings.js";
import { EndpointDefinitionError, HandlerError, InvalidOptionsError, type DefinitionProblem } from "../errors.js";
import { connectionContainer, prepareInjection } from "../di/injection.js";
import { DEFAULTS } from "../server/options.js";
import { CloseCodes, CloseReason } from "../close-reason.js";
import type { Session } from "../session/session.js";
import { ClientConnection } from "./client-connection.js";
import { resolveConnectOptions, type ConnectOptions, type ResolvedConnectOptions } from "./client-options.js";
import type { ClientSession } from "./client-session.js";

/** Open client sessions per endpoint class (what `getOpenSessions()` returns). */
const openSessions = new WeakMap<EndpointClass, Set<Session>>();

/**
 * Compiles the class with the server's compiler and codec hooks, and checks that the container can
 * build it; every problem is reported at once, before any network activity.
 */
function compileFor(type: EndpointClass, isClass: boolean, settings: ResolvedConnectOptions): CompiledClientEndpoint {
  const problems: DefinitionProblem[] = [];
  let compiled: CompiledClientEndpoint | undefined;
  try {
    compiled = compileClientEndpoint(type, compileSettings(DEFAULTS.maxMessageSize, settings.codecs, settings.container, problems));
  } catch (error) {
    if (!(error instanceof EndpointDefinitionError)) throw error;
    problems.push(...error.problems);
  }
  if (isClass) prepareInjection([type], problems);
  if (problems.length > 0 || compiled === undefined) throw new EndpointDefinitionError(problems);
  return compiled;
}

/**
 * Connects a `@ClientEndpoint` to a WebSocket server. Its handlers run exactly as a server endpoint's
 * do: same argument resolution, codecs, error routing, and one ordered queue per connection.
 *
 * Pass a class to have instances created through the DI container (constructor injection works as on
 * the server), or an instance to use that object. With `reconnect`, a lost connection is replaced
 * with exponential backoff; the returned session stays usable meanwhile (sends are held and delivered
 * in order on the next connection), and `@OnOpen` / `@OnClose` run for each connection.
 *
 * @example
 * ```ts
 * const session = await connectToServer(TickerClient, "ws://127.0.0.1:8080/ticker", {
 *   headers: { authorization: `Bearer ${token}` },
 *   reconnect: { maxDelay: 10_000 },
 * });
 * await session.getBasicRemote().sendText("subscribe ACME");
 * ```
 * @returns the session, once the first connection is open.
 * @throws InvalidOptionsError (bad URL or options) or EndpointDefinitionError, at the call.
 * Rejects with `HandshakeRefusedError` (carrying the HTTP `status`) when the server refuses the upgrade,
 * or `ConnectError` when it cannot be reached; the first connection is not retried.
 */
export function connectToServer(endpoint: EndpointClass | object, url: string | URL, options: ConnectOptions = {}): Promise<ClientSession> {
  const settings = resolveConnectOptions(options);
  const target = parseUrl(url);
  const isClass = typeof endpoint === "function";
  if (!isClass && (endpoint === null || typeof endpoint !== "object")) {
    throw new TypeError("connectToServer: the first argument must be a @ClientEndpoint class or an instance of one.");
  }
  const type = (isClass ? endpoint : endpoint.constructor) as EndpointClass;
  if (!isClass && settings.reconnect?.instance === "fresh") {
    throw new InvalidOptionsError('Invalid connectToServer options: reconnect.instance "fresh" needs the endpoint class, not an instance.');
  }
  const ep = compileFor(type, isClass, settings);
  let open = openSessions.get(type);
  if (open === undefined) openSessions.set(type, (open = new Set()));
  const container = settings.container.createChildContainer();
  const headers: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(settings.headers)) headers[k.toLowerCase()] = v;
  const connection = new ClientConnection(
    ep,
    {
      url: target.href,
      subprotocols: settings.subprotocols ?? ep.subprotocols,
      headers: settings.headers,
      handshakeTimeout: settings.handshakeTimeout,
      maxPayload: ep.maxMessageSize,
    },
    settings,
    container,
    Object.freeze({
      path: target.pathname,
      query: target.search.slice(1),
      headers,
      remoteAddress: "",
      pathParams: Object.freeze({}),
      subprotocol: "",
    }),
    open,
  );
  if (!isClass) container.register(type, { useValue: endpoint });
  else if (settings.reconnect?.instance !== "fresh") {
    // One instance for every connection of this session: created now so a failing constructor fails the call.
    let instance: unknown;
    try {
      instance = connectionContainer(container, connection.session).resolve(type);
    } catch (error) {
      connection.session.finish(new CloseReason(CloseCodes.CLOSED_ABNORMALLY, "endpoint could not be created"));
      return Promise.reject(new HandlerError(`${ep.name}.constructor`, error));
    }
    container.register(type, { useValue: instance });
  }
  return connection.start();
}

function parseUrl(url: string | URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new InvalidOptionsError(`connectToServer: ${JSON.stringify(String(url))} is not a valid URL; use e.g. "ws://127.0.0.1:8080/chat".`);
  }
  if (!["ws:", "wss:", "http:", "https:"].includes(parsed.protocol)) {
    throw new InvalidOptionsError(`connectToServer: the URL must start with ws://, wss://, http:// or https://; got ${JSON.stringify(parsed.protocol)}.`);
  }
  if (parsed.hash !== "") throw new InvalidOptionsError("connectToServer: the URL must not contain a fragment (#...).");
  return parsed;
}

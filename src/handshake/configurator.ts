import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { DependencyContainer } from "tsyringe";
import type { EndpointClass } from "../../decorators/endpoint-class.js";
import { ORIGIN_POLICY, type OriginPolicy } from "./origin.js";
import { firstSupported } from "./subprotocol.js";

/**
 * The upgrade request as the handshake hooks see it. Read-only except `userProperties`, whose entries
 * become the session's user properties once the connection is accepted.
 */
export interface HandshakeRequest {
  /** The Node.js request (for anything not exposed here, e.g. TLS details on `raw.socket`). */
  readonly raw: IncomingMessage;
  /** Request path without the query string. */
  readonly path: string;
  /** Raw query string without `?` (empty when none). */
  readonly query: string;
  /** Query parameters, each with every value given. */
  readonly queryParameters: URLSearchParams;
  /** Request headers (lower-case names). */
  readonly headers: IncomingHttpHeaders;
  /** Cookies sent with the request (first value wins). */
  readonly cookies: ReadonlyMap<string, string>;
  /** Decoded values of the endpoint's path template variables. */
  readonly pathParameters: Readonly<Record<string, string>>;
  /**
   * The client's IP address: the TCP peer's, or with `trustProxy` the one the trusted proxies forwarded
   * (IPv4-mapped IPv6 addresses are unmapped). The peer itself is `raw.socket.remoteAddress`.
   */
  readonly remoteAddress: string;
  /** The endpoint class the request is routed to. */
  readonly endpoint: EndpointClass;
  /** Subprotocols the client offered, in its order of preference. */
  readonly requestedSubprotocols: readonly string[];
  /** The principal returned by `authenticate` (available to `modifyHandshake`). */
  readonly principal: unknown;
  /** Values to copy into `session.getUserProperties()` when the connection opens. */
  readonly userProperties: Map<string, unknown>;
}

/** Extra headers for the `101 Switching Protocols` response; names are case-insensitive. */
export type ResponseHeaders = Map<string, string | readonly string[]>;

/**
 * Hooks that decide whether and how an upgrade is accepted, before any endpoint code runs. Extend this
 * class and override what you need; set it per endpoint (`@ServerEndpoint({ path, configurator })`) or
 * for every endpoint (`bootstrap({ configurator })`). An endpoint's configurator replaces the global
 * one, so extend the global class to combine them. A class is instantiated once, through the DI
 * container; an instance is used as is.
 *
 * Any hook may throw {@link HandshakeRejectedError} to refuse the upgrade with its status; other errors
 * refuse it with 500 and are logged.
 *
 * @example
 * ```ts
 * class TokenAuth extends Configurator {
 *   override async authenticate(request: HandshakeRequest) {
 *     const user = await users.byToken(request.queryParameters.get("token") ?? "");
 *     if (!user) throw new HandshakeRejectedError(401, "invalid token");
 *     return user; // session.getUserPrincipal(), @Principal()
 *   }
 * }
 * ```
 */
export class Configurator {
  /**
   * For documentation only: the AsyncAPI Security Scheme Objects this configurator's `authenticate`
   * implements (e.g. `{ token: { type: "httpApiKey", name: "token", in: "query" } }`), which the AsyncAPI
   * generator puts on the endpoint's operations. Declare it as a static field of your subclass.
   */
  static securitySchemes?: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined;

  /**
   * Whether a request with this `Origin` header may connect (false → 403). The default allows requests
   * without an Origin (non-browser clients), origins matching `allowedOrigins`, and origins equal to
   * the request's Host; it refuses other browser origins (cross-site WebSocket hijacking).
   */
  checkOrigin(origin: string | undefined, request: HandshakeRequest): boolean {
    return (request as HandshakeRequest & { [ORIGIN_POLICY]: OriginPolicy })[ORIGIN_POLICY].allows(origin, request.headers.host);
  }

  /**
   * Establishes who is connecting. Return the principal (any value; `undefined` for anonymous) or
   * throw `new HandshakeRejectedError(401, "…")`. May be async; bounded by `handshakeTimeout`.
   */
  authenticate(_request: HandshakeRequest): unknown {
    return undefined;
  }

  /** Adds headers to the 101 response (e.g. `Set-Cookie`) or stores values in `request.userProperties`. */
  modifyHandshake(_request: HandshakeRequest, _responseHeaders: ResponseHeaders): void | Promise<void> {}

  /**
   * Picks the subprotocol from the client's list (`requested`) and the endpoint's (`supported`);
   * `undefined` selects none. Default: the first of the client's that the endpoint supports.
   */
  getNegotiatedSubprotocol(supported: readonly string[], requested: readonly string[]): string | undefined {
    return firstSupported(supported, requested);
  }

  /** Creates the endpoint instance for an accepted connection. Default: `container.resolve(endpointClass)`. */
  getEndpointInstance<T>(endpointClass: EndpointClass<T>, container: DependencyContainer): T {
    return container.resolve(endpointClass);
  }
}

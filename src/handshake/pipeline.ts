import { HandshakeRejectedError } from "../errors.js";
import type { Logger } from "../metrics/logger.js";
import { Configurator, type ResponseHeaders } from "./configurator.js";
import type { EndpointPolicy } from "../server/endpoint-policy.js";
import type { HandshakeRequestView } from "./handshake-request.js";
import { isThenable } from "../util/thenable.js";
import { parseSubprotocols } from "./subprotocol.js";
import { HTTP_TOKEN } from "../util/check-options.js";

/** The handshake was accepted: what the 101 response and the session get. */
export interface HandshakeAccepted {
  readonly principal: unknown;
  readonly subprotocol: string | undefined;
  readonly responseHeaders: ResponseHeaders | undefined;
  readonly userProperties: ReadonlyMap<string, unknown> | undefined;
}

/** The handshake was refused: the HTTP answer. */
export interface HandshakeRefused {
  readonly status: number;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type HandshakeOutcome = HandshakeAccepted | HandshakeRefused;

/** Whether an outcome is a refusal. */
export function isRefused(o: HandshakeOutcome): o is HandshakeRefused {
  return "status" in o;
}

/**
 * The configurator steps of a handshake, in order: origin ▸ subprotocol ▸ authenticate ▸
 * modifyHandshake. Synchronous unless a hook returns a promise, so the default path allocates no
 * promise. Never throws and the promise never rejects: a `HandshakeRejectedError` becomes its status, any
 * other error a logged 500.
 */
export function runHandshakeHooks(
  view: HandshakeRequestView,
  policy: EndpointPolicy,
  supported: readonly string[],
  logger: Logger,
): HandshakeOutcome | Promise<HandshakeOutcome> {
  const c = policy.configurator;
  try {
    const origin = view.headers.origin;
    if (!c.checkOrigin(origin, view)) return { status: 403, message: "origin not allowed" };
    const requested = parseSubprotocols(view.headers["sec-websocket-protocol"]);
    if (requested === null) return { status: 400, message: "invalid Sec-WebSocket-Protocol header" };
    view.requestedSubprotocols = requested;
    const selected = requested.length > 0 ? c.getNegotiatedSubprotocol(supported, requested) : undefined;
    if (selected !== undefined && selected !== null && !requested.includes(selected)) {
      throw new TypeError(`getNegotiatedSubprotocol returned ${JSON.stringify(selected)}, which the client did not offer (offered: ${requested.join(", ")}).`);
    }
    const subprotocol = selected ?? undefined;
    if (policy.requireSubprotocol && subprotocol === undefined) {
      return { status: 400, message: `no supported subprotocol (supported: ${supported.join(", ")})` };
    }
    const principal = c.authenticate(view);
    if (isThenable(principal)) {
      return Promise.resolve(principal).then(
        (p) => afterAuth(view, policy, subprotocol, p, logger),
        (error: unknown) => refusal(error, view, logger),
      );
    }
    return afterAuth(view, policy, subprotocol, principal, logger);
  } catch (error) {
    return refusal(error, view, logger);
  }
}

function afterAuth(
  view: HandshakeRequestView,
  policy: EndpointPolicy,
  subprotocol: string | undefined,
  principal: unknown,
  logger: Logger,
): HandshakeOutcome | Promise<HandshakeOutcome> {
  view.principal = principal;
  const c = policy.configurator;
  // The default hook adds nothing: no header map, closure or outcome object per connection (T7).
  if (c.modifyHandshake === DEFAULT_MODIFY) return accepted(view, principal, subprotocol, undefined);
  const headers: ResponseHeaders = new Map();
  try {
    const r = c.modifyHandshake(view, headers);
    if (isThenable(r)) {
      return Promise.resolve(r).then(
        () => accepted(view, principal, subprotocol, headers),
        (error: unknown) => refusal(error, view, logger),
      );
    }
    return accepted(view, principal, subprotocol, headers);
  } catch (error) {
    return refusal(error, view, logger);
  }
}

const DEFAULT_MODIFY = Configurator.prototype.modifyHandshake;
/** The outcome of an anonymous handshake without subprotocol, headers or properties: one for all. */
const PLAIN: HandshakeAccepted = Object.freeze({ principal: undefined, subprotocol: undefined, responseHeaders: undefined, userProperties: undefined });

function accepted(view: HandshakeRequestView, principal: unknown, subprotocol: string | undefined, headers: ResponseHeaders | undefined): HandshakeAccepted {
  const responseHeaders = headers !== undefined && headers.size > 0 ? headers : undefined;
  const userProperties = view.storedProperties;
  if (principal === undefined && subprotocol === undefined && responseHeaders === undefined && userProperties === undefined) return PLAIN;
  return { principal, subprotocol, responseHeaders, userProperties };
}

function refusal(error: unknown, view: HandshakeRequestView, logger: Logger): HandshakeRefused {
  if (error instanceof HandshakeRejectedError) {
    return { status: error.status, message: error.message, headers: error.headers };
  }
  logger.error({ err: error, path: view.path }, `handshake hook failed for ${view.endpoint.name}; answering 500`);
  return { status: 500, message: "" };
}

const RESERVED = /^(upgrade|connection|content-length|transfer-encoding|sec-websocket-.*)$/i;

/**
 * Appends the configurator's headers to ws's 101 response lines. Headers that would break the
 * handshake (Upgrade, Connection, Sec-WebSocket-*) or the HTTP framing are skipped and logged.
 */
export function appendResponseHeaders(lines: string[], headers: ResponseHeaders, logger: Logger): void {
  for (const [name, value] of headers) {
    if (!HTTP_TOKEN.test(name) || RESERVED.test(name)) {
      logger.warn({ header: name }, `modifyHandshake: header ${JSON.stringify(name)} cannot be set on a 101 response; skipped`);
      continue;
    }
    for (const v of typeof value === "string" ? [value] : value) {
      if (typeof v !== "string" || /[\r\n\0]/.test(v)) {
        logger.warn({ header: name }, `modifyHandshake: value of ${name} contains CR, LF or NUL; skipped`);
        continue;
      }
      lines.push(`${name}: ${v}`);
    }
  }
}

/** Status and message for a refusal, with limits on what the peer is told. */
export function safeStatus(status: number): number {
  return Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

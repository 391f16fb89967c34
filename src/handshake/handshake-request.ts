import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { EndpointClass } from "../../decorators/metadata.js";
import type { HandshakeRequest } from "./configurator.js";
import { ORIGIN_POLICY, type OriginPolicy } from "./origin.js";

/** @hidden The `HandshakeRequest` handed to configurator hooks; parses query and cookies only when asked. */
export class HandshakeRequestView implements HandshakeRequest {
  principal: unknown = undefined;
  requestedSubprotocols: readonly string[] = [];
  readonly [ORIGIN_POLICY]: OriginPolicy;
  private params: URLSearchParams | undefined;
  private cookieMap: Map<string, string> | undefined;
  private props: Map<string, unknown> | undefined;

  constructor(
    readonly raw: IncomingMessage,
    readonly path: string,
    readonly query: string,
    readonly pathParameters: Readonly<Record<string, string>>,
    readonly remoteAddress: string,
    readonly endpoint: EndpointClass,
    originPolicy: OriginPolicy,
  ) {
    this[ORIGIN_POLICY] = originPolicy;
  }

  get headers(): IncomingHttpHeaders {
    return this.raw.headers;
  }

  get queryParameters(): URLSearchParams {
    return (this.params ??= new URLSearchParams(this.query));
  }

  get cookies(): ReadonlyMap<string, string> {
    return (this.cookieMap ??= parseCookies(this.raw.headers.cookie));
  }

  get userProperties(): Map<string, unknown> {
    return (this.props ??= new Map());
  }

  /** The user properties, or undefined when no hook touched them. */
  get storedProperties(): ReadonlyMap<string, unknown> | undefined {
    return this.props;
  }
}

/** `a=1; b=2` → Map; values percent-decoded when valid; the first of duplicate names wins (RFC 6265 §5.4). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (header === undefined) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === "" || out.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // Keep the raw value: a cookie that is not percent-encoding is still a cookie.
    }
    out.set(name, value);
  }
  return out;
}

import { ConversionFailure } from "../endpoint/arguments.js";
import type { CompiledEndpoint } from "../endpoint/compiled.js";

/**
 * Checks typed @PathParam and @QueryParam values before the upgrade, so a bad one is answered with
 * HTTP 400 instead of failing a handler of an open session. Returns the reason for the 400, or
 * `undefined` when every value converts. The query string is parsed only for endpoints with typed
 * query parameters.
 */
export function checkHandshakeParams(endpoint: CompiledEndpoint, pathParams: Readonly<Record<string, string>>, query: string): string | undefined {
  // Most endpoints convert nothing: no Map iterator per handshake (T7).
  if (endpoint.pathConverters.size === 0 && endpoint.queryConverters.size === 0) return undefined;
  for (const [name, converters] of endpoint.pathConverters) {
    const bad = firstFailure(converters, pathParams[name]!);
    if (bad !== undefined) return `path parameter {${name}}: ${bad}`;
  }
  if (endpoint.queryConverters.size === 0) return undefined;
  const params = new URLSearchParams(query);
  for (const [name, converters] of endpoint.queryConverters) {
    // The handler receives the first value (Session.getRequestParameterMap().get(name)[0]); absent is allowed.
    const value = params.get(name);
    if (value === null) continue;
    const bad = firstFailure(converters, value);
    if (bad !== undefined) return `query parameter ${name}: ${bad}`;
  }
  return undefined;
}

function firstFailure(converters: readonly ((raw: string) => unknown)[], raw: string): string | undefined {
  for (const convert of converters) {
    try {
      convert(raw);
    } catch (error) {
      if (error instanceof ConversionFailure) return error.message;
      throw error;
    }
  }
  return undefined;
}

import { HTTP_TOKEN } from "../util/check-options.js";

/**
 * Parses `Sec-WebSocket-Protocol` (Node joins repeated headers with ", "): the client's subprotocols in
 * order, or `null` when the header is not a comma-separated list of distinct HTTP tokens (RFC 6455 §4.1).
 */
export function parseSubprotocols(header: string | undefined): readonly string[] | null {
  if (header === undefined) return EMPTY;
  const out: string[] = [];
  for (const part of header.split(",")) {
    const name = part.trim();
    if (!HTTP_TOKEN.test(name) || out.includes(name)) return null;
    out.push(name);
  }
  return out;
}

/** The default selection: the first of the client's subprotocols that the endpoint supports. */
export function firstSupported(supported: readonly string[], requested: readonly string[]): string | undefined {
  for (const name of requested) if (supported.includes(name)) return name;
  return undefined;
}

const EMPTY: readonly string[] = Object.freeze([]);

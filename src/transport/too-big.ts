import type { WebSocket } from "ws";

/**
 * @hidden What a close for a message over `maxPayload` says. ws closes with 1009 and no reason; the
 * framework's own closes always pass one, so a reasonless 1009 is that case and gets this one.
 */
export function tooBigReason(ws: WebSocket): string | undefined {
  const limit = (ws as unknown as { _receiver?: { _maxPayload?: number } })._receiver?._maxPayload;
  return limit ? `message exceeds the limit of ${limit} bytes` : undefined;
}

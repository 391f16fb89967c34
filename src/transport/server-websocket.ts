import { isUtf8 } from "node:buffer";
import { WebSocket } from "ws";
import { CloseCodes } from "../session/close-reason.js";

/**
 * @internal The `ws` WebSocket class of server connections. ws enforces `maxPayload` itself and closes
 * with 1009 but no reason; here that close names the limit. One class for every connection rather than
 * an error listener per connection, which an idle connection would carry for its whole life (T5).
 *
 * Server connections run with ws's `skipUTF8Validation` (the dispatcher checks text while decoding it),
 * which also stops ws checking the reason of a peer's close frame. ws answers that frame by calling
 * `close(code, reason)` with the reason's bytes; the check ws would have made happens there.
 */
export class ServerWebSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    // Only ws's answer to a peer's close frame passes bytes; the framework's own closes pass strings.
    if (data !== undefined && typeof data !== "string" && this.readyState === WebSocket.OPEN && !isUtf8(data)) {
      super.close(CloseCodes.NOT_CONSISTENT);
      return;
    }
    // ws's only reasonless 1009: a message over maxPayload (WS_ERR_UNSUPPORTED_MESSAGE_LENGTH); the
    // framework's own closes always pass a reason string.
    if (code === CloseCodes.TOO_BIG && data === undefined && this.readyState === WebSocket.OPEN) {
      const limit = (this as unknown as { _receiver?: { _maxPayload?: number } })._receiver?._maxPayload;
      if (limit) data = `message exceeds the limit of ${limit} bytes`;
    }
    // ws closes reasonless with 1008 for two receive limits; the reason tells the peer which one. 1008,
    // not 1009: the count of parts is a policy, and 1009 would send users to raise maxMessageSize.
    if (code === CloseCodes.VIOLATED_POLICY && data === undefined && this.readyState === WebSocket.OPEN) data = partsLimitReason(this);
    super.close(code, data);
  }
}

interface ReceiverLimits {
  _numFragments?: number;
  _maxFragments?: number;
  _maxBufferedChunks?: number;
}

function partsLimitReason(ws: WebSocket): string | undefined {
  const r = (ws as unknown as { _receiver?: ReceiverLimits })._receiver;
  if (r === undefined) return undefined;
  if (r._maxFragments && (r._numFragments ?? 0) > r._maxFragments) return `message has more than ${r._maxFragments} fragments`;
  if (r._maxBufferedChunks) return `more than ${r._maxBufferedChunks} unparsed chunks buffered`;
  return undefined;
}

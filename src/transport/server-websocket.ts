import { WebSocket } from "ws";
import { CloseCodes } from "../session/close-reason.js";

/**
 * @internal The `ws` WebSocket class of server connections. ws enforces `maxPayload` itself and closes
 * with 1009 but no reason; here that close names the limit. One class for every connection rather than
 * an error listener per connection, which an idle connection would carry for its whole life (T5).
 */
export class ServerWebSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    // ws's only reasonless 1009: a message over maxPayload (WS_ERR_UNSUPPORTED_MESSAGE_LENGTH); the
    // framework's own closes always pass a reason string.
    if (code === CloseCodes.TOO_BIG && data === undefined && this.readyState === WebSocket.OPEN) {
      const limit = (this as unknown as { _receiver?: { _maxPayload?: number } })._receiver?._maxPayload;
      if (limit) data = `message exceeds the limit of ${limit} bytes`;
    }
    super.close(code, data);
  }
}

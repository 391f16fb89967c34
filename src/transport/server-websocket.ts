import { isUtf8 } from "node:buffer";
import { WebSocket } from "ws";
import { partsLimitReason } from "./parts-limit.js";
import { CloseCodes } from "../close-reason.js";
import { tooBigReason } from "./too-big.js";
import { EMITS_TO_SINK, emitToSink } from "./sink-events.js";

/**
 * @hidden The `ws` WebSocket class of server connections. ws enforces `maxPayload` itself and closes
 * with 1009 but no reason; here that close names the limit. One class for every connection rather than
 * an error listener per connection, which an idle connection would carry for its whole life (T5).
 *
 * Server connections run with ws's `skipUTF8Validation` (the dispatcher checks text while decoding it),
 * which also stops ws checking the reason of a peer's close frame. ws answers that frame by calling
 * `close(code, reason)` with the reason's bytes; the check ws would have made happens there.
 */
export class ServerWebSocket extends WebSocket {
  /** Close, pong and error go to the bound transport's sink from here (sink-events.ts). */
  get [EMITS_TO_SINK](): true {
    return true;
  }

  override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
    // ws emits at most two arguments with any event.
    return emitToSink(this, event, a, b) || super.emit(event, a, b);
  }

  override close(code?: number, data?: string | Buffer): void {
    if (code === CloseCodes.VIOLATED_POLICY && data === undefined && this.readyState === WebSocket.OPEN) data = partsLimitReason(this);
    // Only ws's answer to a peer's close frame passes bytes; the framework's own closes pass strings.
    if (data !== undefined && typeof data !== "string" && this.readyState === WebSocket.OPEN && !isUtf8(data)) {
      super.close(CloseCodes.NOT_CONSISTENT);
      return;
    }
    // ws's only reasonless 1009: a message over maxPayload (WS_ERR_UNSUPPORTED_MESSAGE_LENGTH); the
    // framework's own closes always pass a reason string.
    if (code === CloseCodes.TOO_BIG && data === undefined && this.readyState === WebSocket.OPEN) data = tooBigReason(this);
    super.close(code, data);
  }
}

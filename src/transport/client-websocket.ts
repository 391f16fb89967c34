import { WebSocket } from "ws";
import { CloseCodes } from "../close-reason.js";
import { tooBigReason } from "./too-big.js";

/**
 * @hidden The `ws` WebSocket class of client connections: a message over `maxMessageSize` closes with
 * 1009 and a reason naming the limit, as on the server (`ServerWebSocket`).
 */
export class ClientWebSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    if (code === CloseCodes.TOO_BIG && data === undefined && this.readyState === WebSocket.OPEN) data = tooBigReason(this);
    super.close(code, data);
  }
}

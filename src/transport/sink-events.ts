import type { WebSocket } from "ws";
import { CloseCodes } from "../close-reason.js";
import { tooBigReason } from "./too-big.js";
import type { TransportSink } from "./transport.js";

/** The sink a WebSocket (or its receiver) hands its events to: the session's dispatcher. */
export const SINK = Symbol("ws-endpoints:sink");
/** Set when this side closed with 1009 for a message over `maxPayload`: the close reason it sent. */
export const TOO_BIG = Symbol("ws-endpoints:too-big");
/** Marks a WebSocket class whose `emit` hands close, pong and error to the bound sink ({@link emitToSink}). */
export const EMITS_TO_SINK: unique symbol = Symbol("ws-endpoints:emits-to-sink");

export type SinkSocket = WebSocket & { [SINK]?: TransportSink; [TOO_BIG]?: string };

// Module-level functions with `this` bound to the socket (by EventEmitter, or by emitToSink): no closure per connection.
export function onPong(this: SinkSocket, data: Buffer): void {
  this[SINK]!.onPong(data);
}
export function onClose(this: SinkSocket, code: number, reason: Buffer): void {
  const tooBig = this[TOO_BIG];
  if (tooBig !== undefined) this[SINK]!.onClose(CloseCodes.TOO_BIG, tooBig);
  else this[SINK]!.onClose(code, reason.toString("utf8"));
}
export function onError(this: SinkSocket, error: Error): void {
  // A message over maxPayload: ws sends 1009 and stops reading, so its close event would say 1006 (the
  // peer's answer is never read). The session reports the 1009 it sent instead, and, as for a handler's
  // own maxMessageSize, a peer's oversized message is not an error of this endpoint.
  if ((error as { code?: unknown }).code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
    this[TOO_BIG] = tooBigReason(this) ?? "";
    return;
  }
  this[SINK]!.onError(error);
}

/**
 * The `emit` of a WebSocket class marked {@link EMITS_TO_SINK}: once a transport is bound, close, pong
 * and error go to its sink from the class, instead of three listeners added to every connection (their
 * registration was a measurable part of a handshake, T7, and they stay in memory as long as the
 * connection, T5). Returns true when the event is done with: an error the sink took and nobody else
 * listens to (EventEmitter would throw it). Otherwise the caller emits it as usual as well.
 */
export function emitToSink(ws: SinkSocket, event: string | symbol, a: unknown, b: unknown): boolean {
  if (ws[SINK] === undefined) return false;
  if (event === "close") onClose.call(ws, a as number, b as Buffer);
  else if (event === "pong") onPong.call(ws, a as Buffer);
  else if (event === "error") {
    onError.call(ws, a as Error);
    return ws.listenerCount("error") === 0;
  }
  return false;
}

import type { AsyncSendHandle, SendResult } from "./pending-send.js";
import type { TextMessage } from "./text-message.js";

/** Callback form of an asynchronous send's outcome. */
export type SendHandler = (result: SendResult) => void;

/** Binary payloads accepted by send methods. */
export type BinaryData = Buffer | ArrayBuffer | ArrayBufferView;

/**
 * The peer of a session, as in Jakarta WebSocket: `Basic` sends return promises that settle when the
 * data was flushed; `Async` sends return at once and never throw.
 */
export declare namespace RemoteEndpoint {
  /**
   * Awaitable sends. Each promise resolves once `ws` reports the data written, and rejects with
   * `SessionClosedError` when the session is closed, or the socket's error.
   *
   * @example
   * ```ts
   * await session.getBasicRemote().sendText("hello");
   * ```
   */
  interface Basic {
    /**
     * Without `isLast`, sends a whole text message; with it, one part of a fragmented message (`false`:
     * more parts follow, `true`: the last part). While a fragmented message is open, a whole message or
     * a part of the other kind rejects with `FragmentInterleavedError` and is not sent. A received
     * {@link TextMessage} is sent as the bytes it arrived in, without decoding or encoding it.
     */
    sendText(text: string | TextMessage, isLast?: boolean): Promise<void>;
    /** Like {@link RemoteEndpoint.Basic.sendText}, for a binary message or one part of it. */
    sendBinary(data: BinaryData, isLast?: boolean): Promise<void>;
    /** Encodes `value` with the endpoint's encoders (JSON by default) and sends it. */
    sendObject(value: unknown): Promise<void>;
    /** Sends a ping; `data` is at most 125 bytes. */
    sendPing(data?: BinaryData): Promise<void>;
    /** Sends an unsolicited pong; `data` is at most 125 bytes. */
    sendPong(data?: BinaryData): Promise<void>;
  }

  /**
   * Fire-and-forget sends: they return at once and never throw, not even on a closed session. The
   * outcome goes only to whoever asks: the optional callback, or by awaiting the returned handle.
   *
   * @example
   * ```ts
   * session.getAsyncRemote().sendText("tick");
   * const result = await session.getAsyncRemote().sendText("important");
   * if (!result.ok) console.warn(result.error);
   * ```
   */
  interface Async {
    /** Queues a text message (a {@link TextMessage}: its bytes as they arrived). */
    sendText(text: string | TextMessage, callback?: SendHandler): AsyncSendHandle;
    /** Queues a binary message. */
    sendBinary(data: BinaryData, callback?: SendHandler): AsyncSendHandle;
    /** Encodes `value` with the endpoint's encoders (JSON by default) and queues it. */
    sendObject(value: unknown, callback?: SendHandler): AsyncSendHandle;
    /** Queues a ping; `data` is at most 125 bytes. */
    sendPing(data?: BinaryData, callback?: SendHandler): AsyncSendHandle;
    /** Queues an unsolicited pong; `data` is at most 125 bytes. */
    sendPong(data?: BinaryData, callback?: SendHandler): AsyncSendHandle;
  }
}

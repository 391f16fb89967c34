import { SessionClosedError } from "../errors.js";
import type { Transport } from "../transport/transport.js";
import { OUT, type OutKind } from "./outbound-entry.js";
import { PendingSend, type AsyncSendHandle, type SendResult } from "./pending-send.js";
import type { BinaryData, RemoteEndpoint, SendHandler } from "./remote-endpoint.js";
import { toSendError } from "./send-error.js";
import { TextMessage } from "./text-message.js";

/**
 * What the remotes need from their session. Both members carry the internal tag like the session's own,
 * so stripInternal drops both sides from the .d.ts together (`MockSession`, a public class, extends the
 * session; a tag on this comment would drop the whole interface).
 */
export interface RemoteHost {
  /** @internal Queues a frame; returns why it was refused, or undefined when accepted. */
  submit(
    kind: OutKind,
    data: string | Buffer,
    fin: boolean,
    done: ((error?: Error) => void) | undefined,
    pending: PendingSend | undefined,
    partial?: boolean,
    awaited?: boolean,
  ): Error | undefined;
  /** @internal Where the frames go: a failed write is classified by its state (send-error.ts). */
  readonly transport: Transport;
  /** @internal Encodes an object with the endpoint's encoders; throws `EncodeError`. */
  encode(value: unknown): { data: string | Buffer; binary: boolean };
}

const MAX_CONTROL_PAYLOAD = 125;
const EMPTY = Buffer.alloc(0);

const NOT_TEXT = "sendText: text must be a string or a TextMessage (use sendObject for objects).";

/** What a text send writes: the string, or a received message's bytes as they are (valid UTF-8 already). */
function textData(text: string | TextMessage): string | Buffer | undefined {
  if (typeof text === "string") return text;
  return text instanceof TextMessage ? text.bytes : undefined;
}

/** Converts any accepted binary type to a Buffer without copying. */
export function toBuffer(data: BinaryData): Buffer | undefined {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

function controlPayload(data: BinaryData | undefined, method: string): Buffer {
  if (data === undefined) return EMPTY;
  const buf = toBuffer(data);
  if (buf === undefined) throw new TypeError(`${method}: data must be a Buffer, ArrayBuffer or typed array.`);
  if (buf.length > MAX_CONTROL_PAYLOAD) {
    throw new RangeError(`${method}: control frame payload is ${buf.length} bytes; the limit is ${MAX_CONTROL_PAYLOAD} (RFC 6455 §5.5).`);
  }
  return buf;
}

/** Promise-returning sends. Misuse throws at the call; runtime failures reject. */
export class BasicRemote implements RemoteEndpoint.Basic {
  constructor(private readonly host: RemoteHost) {}

  // Without `isLast` a send is a whole message (Jakarta's sendText(String)), refused while a fragmented
  // one is open; with it, a part (sendText(String, boolean)). Treating both as parts let a whole message
  // slip into the open one as its continuation.
  sendText(text: string | TextMessage, isLast?: boolean): Promise<void> {
    const data = textData(text);
    if (data === undefined) throw new TypeError(NOT_TEXT);
    return this.send(OUT.TEXT, data, isLast ?? true, isLast !== undefined);
  }

  sendBinary(data: BinaryData, isLast?: boolean): Promise<void> {
    const buf = toBuffer(data);
    if (buf === undefined) throw new TypeError("sendBinary: data must be a Buffer, ArrayBuffer or typed array.");
    return this.send(OUT.BINARY, buf, isLast ?? true, isLast !== undefined);
  }

  sendObject(value: unknown): Promise<void> {
    let encoded: { data: string | Buffer; binary: boolean };
    try {
      encoded = this.host.encode(value);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.send(encoded.binary ? OUT.BINARY : OUT.TEXT, encoded.data, true);
  }

  sendPing(data?: BinaryData): Promise<void> {
    return this.send(OUT.PING, controlPayload(data, "sendPing"), true);
  }

  sendPong(data?: BinaryData): Promise<void> {
    return this.send(OUT.PONG, controlPayload(data, "sendPong"), true);
  }

  private send(kind: OutKind, data: string | Buffer, fin: boolean, partial = false): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error): void => (error ? reject(toSendError(error, this.host.transport)) : resolve());
      const refused = this.host.submit(kind, data, fin, done, undefined, partial, true);
      if (refused) reject(refused);
    });
  }
}

/** Fire-and-forget sends: never throw; outcome only to an observer. */
export class AsyncRemote implements RemoteEndpoint.Async {
  constructor(private readonly host: RemoteHost) {}

  sendText(text: string | TextMessage, callback?: SendHandler): AsyncSendHandle {
    const data = textData(text);
    if (data === undefined) return refuse(new TypeError(NOT_TEXT), callback);
    return this.send(OUT.TEXT, data, callback);
  }

  sendBinary(data: BinaryData, callback?: SendHandler): AsyncSendHandle {
    const buf = toBuffer(data);
    if (buf === undefined) return refuse(new TypeError("sendBinary: data must be a Buffer, ArrayBuffer or typed array."), callback);
    return this.send(OUT.BINARY, buf, callback);
  }

  sendObject(value: unknown, callback?: SendHandler): AsyncSendHandle {
    let encoded: { data: string | Buffer; binary: boolean };
    try {
      encoded = this.host.encode(value);
    } catch (error) {
      return refuse(error as Error, callback);
    }
    return this.send(encoded.binary ? OUT.BINARY : OUT.TEXT, encoded.data, callback);
  }

  sendPing(data?: BinaryData, callback?: SendHandler): AsyncSendHandle {
    try {
      return this.send(OUT.PING, controlPayload(data, "sendPing"), callback);
    } catch (error) {
      return refuse(error as Error, callback);
    }
  }

  sendPong(data?: BinaryData, callback?: SendHandler): AsyncSendHandle {
    try {
      return this.send(OUT.PONG, controlPayload(data, "sendPong"), callback);
    } catch (error) {
      return refuse(error as Error, callback);
    }
  }

  private send(kind: OutKind, data: string | Buffer, callback: SendHandler | undefined): AsyncSendHandle {
    const pending = new PendingSend();
    const done = callback === undefined ? undefined : callbackDone(pending, callback, this.host.transport);
    const refused = this.host.submit(kind, data, true, done, done === undefined ? pending : undefined);
    if (refused) return refuse(refused, callback);
    return pending;
  }
}

function callbackDone(pending: PendingSend, callback: SendHandler, transport: Transport): (error?: Error) => void {
  return (error) => {
    const result: SendResult = error == null ? { ok: true } : { ok: false, error: toSendError(error, transport) };
    pending.settle(result);
    invokeCallback(callback, result);
  };
}

function refuse(error: Error, callback: SendHandler | undefined): AsyncSendHandle {
  const failed = PendingSend.failed(error instanceof Error ? error : new SessionClosedError());
  if (callback) {
    const result: SendResult = { ok: false, error };
    process.nextTick(invokeCallback, callback, result);
  }
  return failed;
}

function invokeCallback(callback: SendHandler, result: SendResult): void {
  try {
    callback(result);
  } catch (error) {
    // A throwing user callback must not break the send path; surface it without crashing.
    process.emitWarning(`ws-endpoints: an Async send callback threw: ${(error as Error)?.message ?? String(error)}`);
  }
}

import { isUtf8 } from "node:buffer";
import { decodeText } from "./text-decode.js";

/**
 * A text message as the UTF-8 bytes it arrived in, decoded to a string only when {@link TextMessage.text}
 * is first read. Declare it instead of `string` on an `@OnMessage` method whose handler mostly passes the
 * text on (a relay, a fan-out, a proxy): `sendText(message)` and `broadcast(message)` send the received
 * bytes as they are, so a message that is never read is never decoded. Echoing 64 KiB of text as a
 * `string` costs one decode (a copy into a new string, about a sixth of raw ws's CPU for the whole echo);
 * as a `TextMessage` it costs what echoing binary does (docs/performance.md, T3).
 *
 * The bytes were checked as UTF-8 before the handler ran (a message that is not fails the connection with
 * 1007, as for `string`). They may be a view into the socket read they came in: an application that keeps
 * messages for long should keep their `text`, not the message. Do not modify them.
 *
 * @example
 * ```ts
 * @OnMessage()
 * relay(message: TextMessage, session: Session) {
 *   for (const peer of session.getOpenSessions()) if (peer !== session) peer.getAsyncRemote().sendText(message);
 * }
 * ```
 */
export class TextMessage {
  private constructor(
    /** The message's UTF-8 bytes. */
    readonly bytes: Buffer,
    private decoded: string | undefined,
  ) {}

  /** A message of `text` (for tests, and for code that builds messages to send). */
  static fromString(text: string): TextMessage {
    if (typeof text !== "string") throw new TypeError(`TextMessage.fromString: text must be a string; got ${typeof text}.`);
    return new TextMessage(Buffer.from(text, "utf8"), text);
  }

  /** A message of UTF-8 `bytes`; throws a `TypeError` when they are not UTF-8 (a text frame must be, RFC 6455 §8.1). */
  static fromBytes(bytes: Buffer): TextMessage {
    if (!Buffer.isBuffer(bytes)) throw new TypeError("TextMessage.fromBytes: bytes must be a Buffer (use TextMessage.fromString for a string).");
    if (!isUtf8(bytes)) throw new TypeError("TextMessage.fromBytes: bytes are not valid UTF-8; a text message must be (RFC 6455 §8.1). Send them with sendBinary instead.");
    return new TextMessage(bytes, undefined);
  }

  /** @internal Bytes the transport or the dispatcher checked as UTF-8 already. */
  static received(bytes: Buffer): TextMessage {
    return new TextMessage(bytes, undefined);
  }

  /** The text, decoded on first read and kept. */
  get text(): string {
    return (this.decoded ??= decodeText(this.bytes));
  }

  /** The length of the message in bytes (not characters). */
  get byteLength(): number {
    return this.bytes.length;
  }

  /** The text: template literals and string concatenation read it. */
  toString(): string {
    return this.text;
  }

  /** The text: `JSON.stringify` of an object holding the message writes it as a string. */
  toJSON(): string {
    return this.text;
  }
}

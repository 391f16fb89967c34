/**
 * The Jakarta WebSocket (JSR 356) encoder/decoder vocabulary. TypeScript erases generics, so a coder class
 * names the class it handles in a static field (`decodes` / `encodes`) and binary decoders say so with
 * `static readonly binary = true`; bootstrap checks both.
 */

/** Decoders turn an inbound message into an object of type `T` for an `@OnMessage` parameter of that type. */
export declare namespace Decoder {
  /**
   * Decodes text messages.
   *
   * @example
   * ```ts
   * class PointDecoder implements Decoder.Text<Point> {
   *   static readonly decodes = Point;
   *   willDecode(text: string) { return /^-?\d+,-?\d+$/.test(text); }
   *   decode(text: string) { const [x, y] = text.split(",").map(Number); return new Point(x!, y!); }
   * }
   * ```
   */
  interface Text<T> {
    /** Whether this decoder accepts the message; without it, every message is accepted. Must not throw. */
    willDecode?(text: string): boolean;
    /** The decoded value, or a promise of it. A throw or rejection becomes a `DecodeError`. */
    decode(text: string): T | PromiseLike<T>;
  }

  /** Decodes binary messages; the class also declares `static readonly binary = true`. */
  interface Binary<T> {
    /** Whether this decoder accepts the message; without it, every message is accepted. Must not throw. */
    willDecode?(data: Buffer): boolean;
    /** The decoded value, or a promise of it. A throw or rejection becomes a `DecodeError`. */
    decode(data: Buffer): T | PromiseLike<T>;
  }
}

/** Encoders turn objects given to `sendObject` (or returned by a handler) into a message. */
export declare namespace Encoder {
  /** Encodes to a text message. Encoding is synchronous so that sends keep their order. */
  interface Text<T> {
    /** The text to send for `value`. */
    encode(value: T): string;
  }

  /** Encodes to a binary message. */
  interface Binary<T> {
    /** The bytes to send for `value`. */
    encode(value: T): Buffer | Uint8Array | ArrayBuffer;
  }
}

/** A decoder class as listed in `decoders` (constructed once per server by tsyringe). */
export interface DecoderClass<T = unknown> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  new (...args: any[]): Decoder.Text<T> | Decoder.Binary<T>;
  /** The class this decoder produces; handler parameters of this type use it. */
  readonly decodes: abstract new (...args: never[]) => T;
  /** `true` for `Decoder.Binary` implementations. */
  readonly binary?: boolean;
}

/** An encoder class as listed in `encoders` (constructed once per server by tsyringe). */
export interface EncoderClass<T = unknown> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  new (...args: any[]): Encoder.Text<T> | Encoder.Binary<T>;
  /** The class this encoder handles, subclasses included (the nearest registered ancestor wins). */
  readonly encodes: abstract new (...args: never[]) => T;
}

/** Encodes an outbound object into a frame payload. */
export type ObjectEncoder = (value: unknown) => { data: string | Buffer; binary: boolean };

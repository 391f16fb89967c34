import { EncodeError } from "../errors.js";
import type { Encoder, EncoderClass, ObjectEncoder } from "./coders.js";
import { jsonEncoder } from "./json.js";

/** A constructed encoder with its class. */
export interface EncoderEntry {
  readonly type: EncoderClass;
  readonly instance: Encoder.Text<unknown> | Encoder.Binary<unknown>;
}

type Encoded = { data: string | Buffer; binary: boolean };

/**
 * The `sendObject` encoder of an endpoint: the encoder registered for the nearest class on the value's
 * prototype chain (endpoint encoders before global ones), else JSON. The result's type decides the frame:
 * a string is sent as text, binary data as a binary message.
 */
export function objectEncoder(entries: readonly EncoderEntry[]): ObjectEncoder {
  if (entries.length === 0) return jsonEncoder;
  const byPrototype = new Map<object, EncoderEntry>();
  // First registration wins, so endpoint encoders shadow global ones for the same class.
  for (const e of entries) if (!byPrototype.has(e.type.encodes.prototype as object)) byPrototype.set(e.type.encodes.prototype as object, e);
  return (value: unknown): Encoded => {
    if (value !== null && typeof value === "object") {
      for (let p = Object.getPrototypeOf(value) as object | null; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
        const entry = byPrototype.get(p);
        if (entry !== undefined) return encodeWith(entry, value);
      }
    }
    return jsonEncoder(value);
  };
}

function encodeWith(entry: EncoderEntry, value: unknown): Encoded {
  let out: unknown;
  try {
    out = (entry.instance as Encoder.Text<unknown>).encode(value);
  } catch (error) {
    throw new EncodeError(`sendObject: ${entry.type.name} failed to encode a ${entry.type.encodes.name}: ${(error as Error)?.message ?? String(error)}`, error);
  }
  if (typeof out === "string") return { data: out, binary: false };
  if (Buffer.isBuffer(out)) return { data: out, binary: true };
  if (out instanceof ArrayBuffer) return { data: Buffer.from(out), binary: true };
  if (ArrayBuffer.isView(out)) return { data: Buffer.from(out.buffer, out.byteOffset, out.byteLength), binary: true };
  throw new EncodeError(
    `sendObject: ${entry.type.name}.encode returned ${out === null ? "null" : typeof out}; an Encoder.Text returns a string, an Encoder.Binary a Buffer, Uint8Array or ArrayBuffer.`,
  );
}

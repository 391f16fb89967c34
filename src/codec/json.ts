import { EncodeError } from "../errors.js";
import { findUnrepresentable, type Unrepresentable } from "./json-representable.js";
import type { ObjectEncoder } from "./coders.js";

/**
 * The default object encoding: binary data (Buffer, Uint8Array and other views, ArrayBuffer) as a binary
 * message, like a handler's returned Buffer; anything else as JSON text. A value JSON cannot represent
 * (a Map, a Set, a BigInt, a class instance with no enumerable fields or `toJSON`) is an `EncodeError`
 * naming where it is and the fix, never a silent `{}`.
 */
export const jsonEncoder: ObjectEncoder = (value) => {
  if (typeof value === "object" && value !== null && (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)) {
    return { data: asBuffer(value), binary: true };
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw unencodable(value, error);
  }
  if (text === undefined) throw new EncodeError(`sendObject: a value of type ${typeof value} has no JSON form.`);
  // Only output holding "{}" can hide a lost Map, Set or class instance: others skip the walk.
  if (text.indexOf("{}") !== -1) {
    const found = findUnrepresentable(value);
    if (found !== undefined) throw lost(found);
  }
  return { data: text, binary: false };
};

function asBuffer(value: ArrayBufferView | ArrayBuffer): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function unencodable(value: unknown, error: unknown): EncodeError {
  const found = findUnrepresentable(value);
  if (found !== undefined) return lost(found, error);
  return new EncodeError(`sendObject: the value cannot be encoded as JSON: ${(error as Error)?.message ?? String(error)}`, error);
}

function lost(found: Unrepresentable, cause?: unknown): EncodeError {
  const fix =
    found.what === "a BigInt"
      ? "convert it first (String(n), or Number(n) when it is small enough), or register an encoder for the enclosing class"
      : found.what === "a Map"
        ? "convert it first (Object.fromEntries(map) or [...map]), or register an encoder (encoders: [...]) for the enclosing class"
        : found.what === "a Set"
          ? "convert it first ([...set]), or register an encoder (encoders: [...]) for the enclosing class"
          : "register an encoder for its class (encoders: [...]), give the class a toJSON() method, or send a plain object";
  const silent = found.what === "a BigInt" ? "" : " (JSON.stringify would write {})";
  return new EncodeError(`sendObject: ${found.path} is ${found.what}, which JSON cannot represent${silent}. Fix: ${fix}.`, cause);
}

/**
 * Adds the request's correlation id to an encoded JSON object reply (`{"id":…}` last, so it wins over a
 * same-named field). Other replies (strings, arrays, binary) go out unchanged.
 */
export function withCorrelationId(encoded: { data: string | Buffer; binary: boolean }, idField: string, id: unknown): { data: string | Buffer; binary: boolean } {
  const text = encoded.data;
  if (encoded.binary || typeof text !== "string" || text.length < 2 || text.charCodeAt(0) !== 123 || text.charCodeAt(text.length - 1) !== 125) {
    return encoded;
  }
  const idJson = JSON.stringify(id);
  if (idJson === undefined) return encoded;
  const member = `${JSON.stringify(idField)}:${idJson}`;
  return { data: text.length === 2 ? `{${member}}` : `${text.slice(0, -1)},${member}}`, binary: false };
}

import { EncodeError } from "../errors.js";
import type { ObjectEncoder } from "../session/endpoint-session.js";

/** JSON, the default object encoding. */
export const jsonEncoder: ObjectEncoder = (value) => {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new EncodeError(`sendObject: the value cannot be encoded as JSON: ${(error as Error).message}`, error);
  }
  if (text === undefined) throw new EncodeError(`sendObject: a value of type ${typeof value} has no JSON form.`);
  return { data: text, binary: false };
};

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

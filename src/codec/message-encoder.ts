import { EncodeError } from "../errors.js";
import type { ObjectEncoder } from "./coders.js";
import type { RoutingSettings } from "./codec-options.js";

const EMPTY_OBJECT = /^\{\s*\}$/;

/**
 * The encoding of the messages a session sends on its own (`session.send`, `session.request`): the
 * payload goes through the endpoint's object encoder (so registered encoders apply), and the envelope
 * fields are written in front of its JSON text: `{"type":"said","id":"s1",…payload}`, or with a
 * `dataField`, `{"type":"said","data":…payload}`.
 */
export function messageEncoder(encode: ObjectEncoder, routing: RoutingSettings): (type: string, id: string | undefined, payload: unknown) => string {
  const { typeField, idField, dataField } = routing;
  const typeKey = `{${JSON.stringify(typeField)}:`;
  const idKey = idField === null ? null : `,${JSON.stringify(idField)}:`;
  const dataKey = dataField === null ? null : `,${JSON.stringify(dataField)}:`;
  return (type, id, payload) => {
    const head = `${typeKey}${JSON.stringify(type)}${id !== undefined && idKey !== null ? `${idKey}${JSON.stringify(id)}` : ""}`;
    if (dataKey !== null) return `${head}${dataKey}${jsonText(encode, type, payload === undefined ? null : payload)}}`;
    if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
      throw new TypeError(`session message ${JSON.stringify(type)}: the payload must be an object (its fields go beside "${typeField}" in the envelope); got ${Array.isArray(payload) ? "an array" : payload === null ? "null" : typeof payload}.`);
    }
    for (const field of [typeField, idField]) {
      if (field !== null && Object.hasOwn(payload, field)) {
        throw new TypeError(`session message ${JSON.stringify(type)}: the payload has a "${field}" field, which the envelope uses; rename it, or set envelope.dataField to carry payloads under a field of their own.`);
      }
    }
    const text = jsonText(encode, type, payload).trim();
    if (!text.startsWith("{")) throw new EncodeError(`session message ${JSON.stringify(type)}: the payload's encoder wrote ${text.slice(0, 20)}…, not a JSON object.`);
    return EMPTY_OBJECT.test(text) ? `${head}}` : `${head},${text.slice(1)}`;
  };
}

function jsonText(encode: ObjectEncoder, type: string, payload: unknown): string {
  const encoded = encode(payload);
  if (encoded.binary) throw new EncodeError(`session message ${JSON.stringify(type)}: the payload encodes to binary data; envelope messages are JSON text.`);
  return encoded.data as string;
}

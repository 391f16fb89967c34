import type { EndpointClass } from "../../decorators/metadata.js";
import { PongMessage } from "../codec/pong-message.js";
import { TextMessage } from "../session/text-message.js";

/** A JSON Schema object (AsyncAPI's Schema Object is a superset of JSON Schema draft 07). */
export type JsonSchema = Record<string, unknown>;

/** How one payload or reply type appears in the document. */
export interface PayloadShape {
  readonly contentType: string;
  readonly schema: JsonSchema;
  /** The DTO class, when the schema comes from class-validator metadata. */
  readonly dto?: EndpointClass;
}

const BINARY_TYPES: readonly unknown[] = [Buffer, Uint8Array, ArrayBuffer];

/**
 * The shape of a declared type, as far as run-time metadata tells: `string` is text, binary types are
 * bytes, a class is a JSON object described by its class-validator decorators. `undefined` means
 * "nothing to document" (void, Promise whose value type is erased, interfaces emitted as Object).
 */
export function shapeOf(type: unknown): PayloadShape | undefined {
  if (type === String || type === TextMessage) return { contentType: "text/plain", schema: { type: "string" } };
  if (type === Number) return { contentType: "application/json", schema: { type: "number" } };
  if (type === Boolean) return { contentType: "application/json", schema: { type: "boolean" } };
  if (BINARY_TYPES.includes(type)) return { contentType: "application/octet-stream", schema: { type: "string", format: "binary" } };
  if (typeof type !== "function" || type === Object || type === Function || type === Promise || type === PongMessage || type === Array) return undefined;
  return { contentType: "application/json", schema: {}, dto: type as EndpointClass };
}

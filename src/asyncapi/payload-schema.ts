import { readParams, readParamTypes, type EndpointClass, type ParamRecord } from "../../decorators/metadata.js";
import { CloseReason } from "../close-reason.js";
import { PongMessage } from "../codec/pong-message.js";
import { Session } from "../session/session.js";

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
  if (type === String) return { contentType: "text/plain", schema: { type: "string" } };
  if (type === Number) return { contentType: "application/json", schema: { type: "number" } };
  if (type === Boolean) return { contentType: "application/json", schema: { type: "boolean" } };
  if (BINARY_TYPES.includes(type)) return { contentType: "application/octet-stream", schema: { type: "string", format: "binary" } };
  if (typeof type !== "function" || type === Object || type === Function || type === Promise || type === PongMessage || type === Array) return undefined;
  return { contentType: "application/json", schema: {}, dto: type as EndpointClass };
}

function isContextType(type: unknown): boolean {
  return (
    type === Session ||
    type === CloseReason ||
    type === Error ||
    (typeof type === "function" && (type.prototype instanceof Session || type.prototype instanceof Error))
  );
}

/** The declared payload type of an `@OnMessage` method, found the way the endpoint compiler finds it. */
export function payloadTypeOf(endpoint: EndpointClass, method: string | symbol): unknown {
  const declared = readParamTypes(endpoint, method) ?? [];
  const explicit: ParamRecord[] = readParams(endpoint).filter((p) => p.method === method);
  const fn = (endpoint.prototype as Record<string | symbol, { length: number }>)[method];
  const count = Math.max(fn?.length ?? 0, declared.length);
  for (let i = 0; i < count; i++) {
    const record = explicit.find((p) => p.index === i);
    if (record !== undefined) {
      if (record.source.from === "payload") return record.type ?? declared[i];
      continue;
    }
    if (!isContextType(declared[i])) return declared[i];
  }
  return undefined;
}

import { decodeText } from "../session/text-decode.js";
import { TextMessage } from "../session/text-message.js";
import { PongMessage } from "./pong-message.js";

/** Which kind of inbound frame a message handler takes. */
export type MessageKind = "text" | "binary" | "pong";

/** Turns a received payload into the value passed to the handler; may be async (validation). */
export type PayloadDecoder = (data: Buffer) => unknown;

/** How a declared payload type is received. */
export interface PayloadBinding {
  readonly kind: MessageKind;
  readonly decode: PayloadDecoder;
  /** Whether the binding takes this message; absent means it takes every message of its kind. */
  readonly willDecode?: (data: Buffer) => boolean;
  /** For JSON payloads (DTOs): decodes an already parsed value, so typed routing parses once. */
  readonly fromJson?: (value: unknown, raw: Buffer, replyId: unknown) => unknown;
  /** What decodes the payload, for bootstrap messages (e.g. `DTO ChatMessage`, `PointDecoder`). */
  readonly source?: string;
  /** The same type decoded from the other kind of message (a class with text and binary decoders). */
  readonly also?: PayloadBinding;
}

function asBuffer(data: Buffer): Buffer {
  return data;
}
function asUint8Array(data: Buffer): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
function asArrayBuffer(data: Buffer): ArrayBuffer {
  // A copy: ws may hand out views into a shared pool.
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}
function asPong(data: Buffer): PongMessage {
  return new PongMessage(data);
}

const BUILT_IN: ReadonlyMap<unknown, PayloadBinding> = new Map<unknown, PayloadBinding>([
  [String, { kind: "text", decode: decodeText }],
  [TextMessage, { kind: "text", decode: TextMessage.received }],
  [Buffer, { kind: "binary", decode: asBuffer }],
  [Uint8Array, { kind: "binary", decode: asUint8Array }],
  [ArrayBuffer, { kind: "binary", decode: asArrayBuffer }],
  [PongMessage, { kind: "pong", decode: asPong }],
]);

/** The binding of a built-in payload type (`string`, binary types, `PongMessage`), or `undefined`. */
export function builtInPayload(type: unknown): PayloadBinding | undefined {
  return BUILT_IN.get(type);
}

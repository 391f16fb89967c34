import { isAscii } from "node:buffer";
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

/**
 * From this length on, Node makes a Latin-1 decode an external string (its `EXTERN_APEX`, 0xFBEE9 bytes):
 * the characters live outside V8's heap and go with the string's small header, in a scavenge. A UTF-8
 * decode of the same length is a large-object-space string, which only a mark-compact frees: echoing 1 MiB
 * text cost 1.52x the server CPU of 1 MiB binary, 1.12x with the external string (T3).
 */
const EXTERNAL_FROM = 0xfbee9;

/** @hidden The decoder of `string` payloads; the dispatcher recognises it to reuse the bytes (inbound-text.ts). */
export function decodeText(data: Buffer): string {
  // ASCII is its own Latin-1 and UTF-8 form, so both decodes give the same string.
  if (data.length >= EXTERNAL_FROM && isAscii(data)) return data.toString("latin1");
  // No arguments: Buffer#toString goes straight to utf8Slice, skipping its range and encoding checks
  // (those were 4% of a 32 B echo's server CPU).
  return data.toString();
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
  [Buffer, { kind: "binary", decode: asBuffer }],
  [Uint8Array, { kind: "binary", decode: asUint8Array }],
  [ArrayBuffer, { kind: "binary", decode: asArrayBuffer }],
  [PongMessage, { kind: "pong", decode: asPong }],
]);

/** The binding of a built-in payload type (`string`, binary types, `PongMessage`), or `undefined`. */
export function builtInPayload(type: unknown): PayloadBinding | undefined {
  return BUILT_IN.get(type);
}

import { DecodeReasons } from "../codec/decode-reasons.js";
import { InvalidMessagePolicies } from "../codec/codec-options.js";
import type { CompiledEndpoint } from "../endpoint/compiled.js";
import type { JsonSchema } from "./payload-schema.js";

// The messages of the protocol itself, as JSON Schema: error replies, the `$reply` to a server request,
// `$ping`/`$pong`, and the `id` correlation. Built from the compiled endpoint's envelope fields.

/** Envelope fields the schemas name. */
export interface EnvelopeFields {
  readonly typeField: string;
  readonly idField: string | null;
}

export function envelopeOf(endpoint: CompiledEndpoint): EnvelopeFields {
  return { typeField: endpoint.protocol.typeField, idField: endpoint.protocol.idField };
}

/** AsyncAPI 3 Correlation ID Object for the envelope's id, or undefined when correlation is off. */
export function correlationOf(f: EnvelopeFields): Record<string, unknown> | undefined {
  return f.idField === null
    ? undefined
    : { description: `The "${f.idField}" a request carries is echoed by its reply.`, location: `$message.payload#/${escapePointer(f.idField)}` };
}

/** The schema of an error reply (`invalidMessages: "reply"`, docs/codecs.md). */
export function errorReplySchema(f: EnvelopeFields): JsonSchema {
  const properties: Record<string, unknown> = {
    [f.typeField]: { const: "error" },
    code: { type: "string", enum: Object.values(DecodeReasons), description: "Why the message was refused (DecodeReasons)." },
    errors: {
      type: "array",
      description: "Invalid fields (at most 50).",
      items: {
        type: "object",
        properties: { path: { type: "string" }, constraints: { type: "object", additionalProperties: { type: "string" } }, children: { type: "array" } },
        required: ["path", "constraints"],
      },
    },
    accepted: { type: "array", items: { type: "string" }, description: "With UNKNOWN_MESSAGE_TYPE: the types the endpoint accepts." },
  };
  if (f.idField !== null) properties[f.idField] = { type: ["string", "number"], description: "The id of the message this answers, when it had one." };
  return { type: "object", properties, required: [f.typeField, "code", "errors"] };
}

/** Whether the endpoint answers undecodable messages with an error reply. */
export function sendsErrorReplies(endpoint: CompiledEndpoint): boolean {
  return endpoint.replies.invalidMessages === InvalidMessagePolicies.REPLY;
}

/** `{"type":"$reply","id":"s1","ok":true,"data":…}` or `ok: false` with `error { code, message }`. */
export function replyEnvelopeSchema(f: EnvelopeFields, data: JsonSchema): JsonSchema {
  const id = f.idField ?? "id";
  return {
    type: "object",
    properties: {
      [f.typeField]: { const: "$reply" },
      [id]: { type: "string", pattern: "^s[0-9]+$", description: "The id of the server request this answers." },
      ok: { type: "boolean" },
      data: data,
      error: {
        type: "object",
        properties: { code: { type: "string", description: "HANDLER_FAILED or NO_HANDLER from the browser client." }, message: { type: "string" } },
        required: ["code"],
      },
    },
    required: [f.typeField, id, "ok"],
  };
}

/** The exact `$ping` / `$pong` texts, as schemas. */
export function livenessSchema(f: EnvelopeFields, type: "$ping" | "$pong"): JsonSchema {
  return { type: "object", properties: { [f.typeField]: { const: type } }, required: [f.typeField], additionalProperties: false };
}

/** `payload` plus the envelope's discriminator (and id, for requests) as required properties. */
export function withEnvelope(f: EnvelopeFields, payload: JsonSchema, type: string, id: "request" | "server-request" | null): JsonSchema {
  const properties: Record<string, unknown> = { [f.typeField]: { const: type } };
  const required = [f.typeField];
  if (id !== null && f.idField !== null) {
    properties[f.idField] = id === "server-request" ? { type: "string", pattern: "^s[0-9]+$" } : { type: ["string", "number"], description: "Set when the sender expects the reply correlated." };
    if (id === "server-request") required.push(f.idField);
  }
  return { allOf: [{ type: "object", properties, required }, payload] };
}

function escapePointer(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

import type { ContractShape, MessageSpec } from "../contract/contract.js";
import type { CompiledEndpoint, CompiledMessageHandler } from "../endpoint/compiled.js";
import type { ChannelBuilder } from "./channel-builder.js";
import { shapeOf, type JsonSchema, type PayloadShape } from "./payload-schema.js";
import {
  correlationOf,
  envelopeOf,
  errorReplySchema,
  livenessSchema,
  replyEnvelopeSchema,
  sendsErrorReplies,
  withEnvelope,
  type EnvelopeFields,
} from "./protocol-schema.js";

// The operations of one endpoint: what it receives (its handlers, with replies and error replies), and
// what it sends on its own (the contract's server messages, server requests and their `$reply`), plus
// `$ping`/`$pong` when liveness is on.

const OBJECT: PayloadShape = { contentType: "application/json", schema: { type: "object", description: "A payloadType<T>() marker: T is a compile-time type only." } };

/** The shape of a contract payload spec: a class's schema, or an open object for a marker. */
function specShape(spec: unknown): PayloadShape {
  return typeof spec === "function" ? (shapeOf(spec) ?? OBJECT) : OBJECT;
}

/** One `receive` operation per `@OnMessage` method, with its reply and, where the endpoint sends them, error replies. */
export function describeHandlers(endpoint: CompiledEndpoint, channel: ChannelBuilder): void {
  const f = envelopeOf(endpoint);
  const correlation = correlationOf(f);
  const name = endpoint.name;
  const errorRef = sendsErrorReplies(endpoint) && endpoint.onText !== null ? errorMessage(endpoint, channel, f) : null;
  const documented = new Set<string | symbol>();
  for (const h of endpoint.messages) {
    // A type with text and binary decoders compiles to one handler per kind: document the method once.
    if (documented.has(h.method)) continue;
    documented.add(h.method);
    const method = String(h.method);
    const shape = shapeOf(h.payloadType);
    if (shape === undefined) continue;
    const typed = h.messageType !== undefined;
    const correlated = typed && correlation !== undefined;
    const payload = typed ? withEnvelope(f, channel.payload(shape), h.messageType!, "request") : channel.payload(shape);
    const input = channel.message(`${name}.${method}`, `${name}.${method} input`, shape.contentType, payload, correlated ? { correlationId: correlation } : {});
    const replies: { $ref: string }[] = [];
    const replyShape = replyShapeOf(endpoint.contract, h);
    if (replyShape !== undefined) {
      replies.push(channel.message(`${name}.${method}.reply`, `${name}.${method} reply`, replyShape.contentType, channel.payload(replyShape), correlated ? { correlationId: correlation } : {}));
    }
    if (errorRef !== null && (typed || h.binding.fromJson !== undefined)) replies.push(errorRef);
    channel.operation(`${name}.${method}`, "receive", `Handled by ${name}.${method}.`, [input], replies);
  }
}

/** The reply a handler declares (`@OnMessage({ reply })`, a known return type), else its contract message's. */
function replyShapeOf(contract: ContractShape | null, h: CompiledMessageHandler): PayloadShape | undefined {
  const declared = shapeOf(h.replyType);
  if (declared !== undefined || contract === null || h.messageType === undefined) return declared;
  const spec = (contract.client as Record<string, MessageSpec | undefined>)[h.messageType];
  return spec?.reply === undefined ? undefined : specShape(spec.reply);
}

function errorMessage(endpoint: CompiledEndpoint, channel: ChannelBuilder, f: EnvelopeFields): { $ref: string } {
  const correlation = correlationOf(f);
  return channel.message(`${endpoint.name}.error`, `${endpoint.name} error reply`, "application/json", errorReplySchema(f), {
    summary: "Sent instead of a reply when a message cannot be decoded or validated (invalidMessages: \"reply\").",
    ...(correlation !== undefined ? { correlationId: correlation } : {}),
  });
}

/** The contract's server messages (pushes and server requests with their `$reply`) and liveness. */
export function describeProtocol(endpoint: CompiledEndpoint, channel: ChannelBuilder): void {
  const f = envelopeOf(endpoint);
  const name = endpoint.name;
  const server = (endpoint.contract?.server ?? {}) as Record<string, MessageSpec>;
  const correlation = correlationOf(f);
  for (const [type, spec] of Object.entries(server)) {
    const shape = specShape(spec.payload);
    const isRequest = spec.reply !== undefined;
    const payload: JsonSchema = withEnvelope(f, channel.payload(shape), type, isRequest ? "server-request" : null);
    const id = `${name}.server.${type}`;
    if (!isRequest) {
      const ref = channel.message(id, `${name} pushes ${type}`, shape.contentType, payload);
      channel.operation(id, "send", `Pushed by the server (session.send("${type}", …), broadcasts).`, [ref]);
      continue;
    }
    const extra = correlation !== undefined ? { correlationId: correlation } : {};
    const ref = channel.message(id, `${name} asks ${type}`, shape.contentType, payload, extra);
    const replyShape = specShape(spec.reply);
    const reply = channel.message(`${id}.reply`, `$reply to ${type}`, "application/json", replyEnvelopeSchema(f, channel.payload(replyShape)), extra);
    channel.operation(id, "send", `A server request (session.request("${type}", …)); the client answers with $reply.`, [ref], [reply]);
  }
  if (endpoint.liveness !== null) {
    const ping = channel.message(`${name}.$ping`, "$ping", "application/json", livenessSchema(f, "$ping"), {
      summary: "The exact text {\"type\":\"$ping\"}; answered before any dispatch.",
    });
    const pong = channel.message(`${name}.$pong`, "$pong", "application/json", livenessSchema(f, "$pong"));
    channel.operation(`${name}.$ping`, "receive", "Liveness: the client's application-level ping (liveness: true).", [ping], [pong]);
  }
}

import { DecodeError, type DefinitionProblem } from "../errors.js";
import type { RoutingSettings } from "../codec/codec-options.js";
import { DecodeReasons } from "../codec/decode-reasons.js";
import { invalidJson } from "../codec/dto.js";
import { parseJson } from "../codec/parse-json.js";
import type { MessageKind } from "../codec/payload.js";
import type { CompiledMessageHandler, MessageRouter, RoutedMessage } from "./compiled.js";
import { REPLY_TYPE } from "../session/message-protocol.js";

/** Compiles the handlers of one message kind into a router, reporting ambiguous declarations. */
export function compileRouter(
  kind: MessageKind,
  handlers: readonly CompiledMessageHandler[],
  settings: RoutingSettings,
  problems: DefinitionProblem[],
): MessageRouter | null {
  if (handlers.length === 0) return null;
  const typed = handlers.filter((h) => h.messageType !== undefined);
  const before = problems.length;
  if (typed.length > 0) {
    if (kind !== "text") {
      for (const h of typed) {
        problems.push({
          where: h.label,
          problem: `@OnMessage({ type: ${JSON.stringify(h.messageType)} }) is on a ${kind} handler; typed routing reads JSON text envelopes.`,
          fix: "remove the type option, or take the payload as a DTO class or string.",
        });
      }
      return null;
    }
    return envelopeRouter(handlers, settings, problems, before);
  }
  if (handlers.length === 1) return freeze(kind, handlers, handlers[0]!, direct);
  if (kind === "pong") {
    problems.push(...handlers.slice(1).map((h) => ({ where: h.label, problem: `${handlers[0]!.label} already handles pong messages.`, fix: "keep one PongMessage handler." })));
    return null;
  }
  return decoderRouter(kind, handlers, problems, before);
}

function direct(): RoutedMessage {
  throw new Error("unreachable: a direct router is never asked to route");
}

function freeze(kind: MessageKind, handlers: readonly CompiledMessageHandler[], only: CompiledMessageHandler | null, route: (data: Buffer) => RoutedMessage | null): MessageRouter {
  return Object.freeze({ kind, direct: only, handlers: Object.freeze([...handlers]), route });
}

/** `{ "type": "chat", ... }` → the handler declared with `@OnMessage({ type: "chat" })`; JSON is parsed once. */
function envelopeRouter(handlers: readonly CompiledMessageHandler[], settings: RoutingSettings, problems: DefinitionProblem[], before: number): MessageRouter | null {
  const table = new Map<string, CompiledMessageHandler>();
  for (const h of handlers) {
    if (h.messageType === undefined) {
      problems.push({
        where: h.label,
        problem: `has no type, but other text handlers of this endpoint route by "${settings.typeField}" (${[...handlers].filter((x) => x.messageType !== undefined).map((x) => JSON.stringify(x.messageType)).join(", ")}); which one takes a message would be ambiguous.`,
        fix: `give it a type too, e.g. @OnMessage({ type: "other" }), or move it to another endpoint.`,
      });
      continue;
    }
    const other = table.get(h.messageType);
    if (other) {
      problems.push({ where: h.label, problem: `type ${JSON.stringify(h.messageType)} is already handled by ${other.label}.`, fix: "give each typed handler its own type." });
      continue;
    }
    if (h.binding.fromJson === undefined && h.binding.source !== undefined) {
      problems.push({
        where: h.label,
        problem: `a typed handler's payload is decoded by ${h.binding.source}, but typed routing hands over parsed JSON.`,
        fix: "take the payload as a DTO class (validated with class-validator) or as string (the raw message).",
      });
      continue;
    }
    table.set(h.messageType, h);
  }
  if (problems.length > before) return null;
  const accepted = Object.freeze([...table.keys()]);
  const { typeField, dataField, idField } = settings;
  const route = (data: Buffer): RoutedMessage | null => {
    const value = parseJson(data);
    if (value === undefined) throw invalidJson(data, undefined);
    const envelope = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
    const replyId = envelope !== null && idField !== null ? correlationId(envelope[idField]) : undefined;
    const type = envelope?.[typeField];
    const handler = typeof type === "string" ? table.get(type) : undefined;
    if (handler === undefined) {
      // A `$reply` that reached the router has no request waiting for it (late, or this session never
      // asked): dropped, never an UNKNOWN_MESSAGE_TYPE. Checked here, where the type is known anyway.
      if (type === REPLY_TYPE) return null;
      throw unknownType(data, type, typeField, accepted, replyId);
    }
    checkSize(handler, data, replyId);
    const b = handler.binding;
    // Without fromJson the handler takes the whole message as text (string or TextMessage): its own decode.
    const payload = b.fromJson === undefined ? b.decode(data) : b.fromJson(dataField === null ? inline(envelope!, typeField, idField) : envelope![dataField], data, replyId);
    return { handler, payload, replyId };
  };
  return freeze("text", handlers, null, route);
}

/** Several handlers of one kind: the first whose decoders' `willDecode` accepts the message, a catch-all last. */
function decoderRouter(kind: MessageKind, handlers: readonly CompiledMessageHandler[], problems: DefinitionProblem[], before: number): MessageRouter | null {
  const selective = handlers.filter((h) => h.binding.willDecode !== undefined);
  const catchAll = handlers.filter((h) => h.binding.willDecode === undefined);
  for (const h of catchAll.slice(1)) {
    problems.push({
      where: h.label,
      problem: `${catchAll[0]!.label} already takes every ${kind} message (its payload type has no decoder with willDecode).`,
      fix: "give the decoders willDecode(), route JSON by @OnMessage({ type }), or keep one catch-all handler.",
    });
  }
  const seen = new Map<string, CompiledMessageHandler>();
  for (const h of selective) {
    const other = seen.get(h.binding.source ?? h.label);
    if (other) problems.push({ where: h.label, problem: `${other.label} is decoded by the same decoders (${h.binding.source}) and would always be chosen first.`, fix: "keep one handler per decoded type." });
    else seen.set(h.binding.source ?? h.label, h);
  }
  if (problems.length > before) return null;
  const order = Object.freeze([...selective, ...catchAll]);
  const fallback = catchAll[0] ?? null;
  const route = (data: Buffer): RoutedMessage => {
    let handler = fallback;
    for (let i = 0; i < selective.length; i++) {
      if (selective[i]!.binding.willDecode!(data)) {
        handler = selective[i]!;
        break;
      }
    }
    if (handler === null) {
      throw new DecodeError(DecodeReasons.NO_DECODER, `No decoder accepted the ${kind} message (tried ${order.map((h) => h.binding.source ?? h.label).join(", ")}).`, data, {
        errors: [{ path: "", constraints: { willDecode: "no decoder of this endpoint accepts this message" } }],
      });
    }
    checkSize(handler, data, undefined);
    return { handler, payload: handler.binding.decode(data), replyId: undefined };
  };
  return freeze(kind, handlers, null, route);
}

function correlationId(v: unknown): unknown {
  return typeof v === "string" || (typeof v === "number" && Number.isFinite(v)) ? v : undefined;
}

/** The envelope minus its routing fields, so a whitelisting DTO does not reject `type` and `id`. */
function inline(envelope: Record<string, unknown>, typeField: string, idField: string | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(envelope)) {
    // An own "__proto__" from JSON.parse would become the copy's prototype; class-transformer drops it anyway.
    if (key !== typeField && key !== idField && key !== "__proto__") out[key] = envelope[key];
  }
  return out;
}

function unknownType(data: Buffer, type: unknown, typeField: string, accepted: readonly string[], replyId: unknown): DecodeError {
  const list = accepted.map((t) => JSON.stringify(t)).join(", ");
  const got = typeof type === "string" ? `${JSON.stringify(type.length > 64 ? `${type.slice(0, 64)}…` : type)} is not one of` : `"${typeField}" is missing; expected one of`;
  return new DecodeError(DecodeReasons.UNKNOWN_MESSAGE_TYPE, `Unknown message type: ${got} ${list}.`, data, {
    errors: [{ path: typeField, constraints: { isIn: `${typeField} must be one of the following values: ${accepted.join(", ")}` } }],
    accepted,
    replyId,
  });
}

function checkSize(h: CompiledMessageHandler, data: Buffer, replyId: unknown): void {
  if (h.maxMessageSize !== undefined && data.length > h.maxMessageSize) throw tooBig(h, data.length, replyId, data);
}

/** The error that closes a session with 1009 when a message exceeds its handler's limit. */
export function tooBig(h: CompiledMessageHandler, size: number, replyId: unknown, data: Buffer): DecodeError {
  return new DecodeError(DecodeReasons.MESSAGE_TOO_BIG, `message of ${size} bytes exceeds the ${h.maxMessageSize}-byte limit of ${h.label}`, data, {
    closeCode: 1009,
    replyId,
  });
}

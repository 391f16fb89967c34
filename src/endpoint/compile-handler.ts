import { LIFECYCLE, readParamTypes, readReturnType, type HandlerRecord, type LifecycleKind, type ParamRecord } from "../../decorators/metadata.js";
import type { PayloadBinding } from "../codec/payload.js";
import type { DefinitionProblem } from "../errors.js";
import { argShape, compileParam, extraErrorParam, type CompiledParam, type Converter } from "./arguments.js";
import type { CompiledHandler, CompiledMessageHandler, EndpointSite } from "./compiled.js";

const KIND_DECORATOR: Record<LifecycleKind, string> = {
  open: "@OnOpen",
  message: "@OnMessage",
  close: "@OnClose",
  error: "@OnError",
};

/** What one endpoint's handlers share while they compile. */
export interface HandlerScope {
  readonly site: EndpointSite;
  /** Every parameter decorator of the class. */
  readonly params: readonly ParamRecord[];
  /** The endpoint's largest inbound message, the ceiling of a handler's own `maxMessageSize`. */
  readonly maxMessageSize: number;
  readonly payloadFor: (type: unknown) => PayloadBinding | string;
  /** Filled with the converters of every @PathParam / typed @QueryParam, checked at the handshake. */
  readonly pathConverters: Map<string, Converter[]>;
  readonly queryConverters: Map<string, Converter[]>;
}

/**
 * One compiled handler: a lifecycle slot (`key` is the event or message kind it owns, `what` names it for
 * the duplicate message), or the message handlers of an `@OnMessage` method (one per kind its payload
 * binding takes). `null` when a problem was recorded.
 */
export type CompiledHandlerOutcome =
  | { readonly key: string; readonly what: string; readonly handler: CompiledHandler }
  | { readonly messages: readonly CompiledMessageHandler[] }
  | null;

/** Compiles one decorated method: its parameters, argument shape, payload binding and limits. */
export function compileHandler(record: HandlerRecord, scope: HandlerScope, problems: DefinitionProblem[]): CompiledHandlerOutcome {
  const { type, name, templateVariables } = scope.site;
  const label = `${name}.${String(record.method)}`;
  const fn = (type.prototype as Record<string | symbol, unknown>)[record.method];
  if (typeof fn !== "function") {
    problems.push({ where: label, problem: `${KIND_DECORATOR[record.kind]} is on something that is not a method.`, fix: "decorate a method." });
    return null;
  }
  const declared = readParamTypes(type, record.method);
  const count = Math.max(fn.length, declared?.length ?? 0);
  const compiledParams: CompiledParam[] = [];
  let ok = true;
  for (let index = 0; index < count; index++) {
    const explicit = scope.params.find((p) => p.method === record.method && p.index === index);
    const r = compileParam({
      label,
      kind: record.kind,
      index,
      declaredType: declared?.[index],
      explicit,
      templateVariables,
      payloadFor: scope.payloadFor,
    });
    if ("problem" in r) {
      problems.push(r);
      ok = false;
    } else compiledParams.push(r);
  }
  const extra = ok && record.kind === "error" ? extraErrorParam(label, compiledParams) : undefined;
  if (extra !== undefined) {
    problems.push(extra);
    ok = false;
  }
  if (!ok) return null;
  for (const p of compiledParams) {
    if (p.pathParam) addConverter(scope.pathConverters, p.pathParam);
    if (p.queryParam) addConverter(scope.queryConverters, p.queryParam);
  }
  const args = Object.freeze(compiledParams.map((p) => p.resolve));
  const shape = argShape(args);
  const handlerFn = fn as (...a: unknown[]) => unknown;
  const slot = slotOf(record, compiledParams, label, problems);
  if (slot === null) return null;
  if (slot.payload === undefined) return { key: slot.key, what: slot.what, handler: Object.freeze({ label, method: record.method, fn: handlerFn, args, shape }) };

  const m = record.options.maxMessageSize;
  if (m !== undefined && (!Number.isInteger(m) || m <= 0 || m > scope.maxMessageSize)) {
    problems.push({
      where: label,
      problem: `maxMessageSize must be a positive integer of bytes no larger than the endpoint's limit (${scope.maxMessageSize}); got ${String(m)}.`,
      fix: "lower the handler's maxMessageSize, or raise the endpoint's maxMessageSize option.",
    });
    return null;
  }
  const t = record.options.type;
  if (t !== undefined && (typeof t !== "string" || t.length === 0)) {
    problems.push({ where: label, problem: `@OnMessage type must be a non-empty string; got ${JSON.stringify(t)}.`, fix: 'e.g. @OnMessage({ type: "chat" }).' });
    return null;
  }
  const payloadType = compiledParams.find((p) => p.payload !== undefined)!.payloadType;
  const r = record.options.reply;
  if (r !== undefined && typeof r !== "function") {
    problems.push({ where: label, problem: `@OnMessage reply must be a class; got ${typeof r}.`, fix: "e.g. @OnMessage({ type: \"join\", reply: Joined })." });
    return null;
  }
  // Declared beats emitted: `design:returntype` of an async method is Promise, whose value type is erased.
  const replyType = r ?? readReturnType(type, record.method);
  const messages: CompiledMessageHandler[] = [];
  // A type with text and binary decoders takes both kinds of message with the same method.
  for (let b: PayloadBinding | undefined = slot.payload; b !== undefined; b = b.also) {
    messages.push(
      Object.freeze({ label, method: record.method, fn: handlerFn, args, shape, kind: b.kind, decode: b.decode, maxMessageSize: m, binding: b, messageType: t, payloadType, replyType }),
    );
  }
  return { messages };
}

function addConverter(map: Map<string, Converter[]>, param: { readonly name: string; readonly convert: Converter }): void {
  const list = map.get(param.name) ?? [];
  list.push(param.convert);
  map.set(param.name, list);
}

function slotOf(
  record: HandlerRecord,
  params: readonly CompiledParam[],
  label: string,
  problems: DefinitionProblem[],
): { key: string; what: string; payload?: PayloadBinding } | null {
  if (record.kind !== LIFECYCLE.MESSAGE) return { key: record.kind, what: `${KIND_DECORATOR[record.kind]}` };
  const payloads = params.filter((p) => p.payload !== undefined);
  if (payloads.length !== 1) {
    problems.push({
      where: label,
      problem: payloads.length === 0 ? "an @OnMessage method needs a payload parameter." : `has ${payloads.length} payload parameters; one is allowed.`,
      fix: "declare exactly one parameter of type string or TextMessage (text), Buffer/ArrayBuffer/Uint8Array (binary), PongMessage, or a DTO class.",
    });
    return null;
  }
  const payload = payloads[0]!.payload!;
  return { key: payload.kind, what: `${payload.kind} messages`, payload };
}

import { readConstructorParamTypes, readHandlers, readParams, readPipeline, type EndpointClass, type EndpointOptions } from "../../decorators/metadata.js";
import { checkCodecOptions, mergeCodecSettings } from "../codec/codec-options.js";
import { jsonEncoder } from "../codec/json.js";
import type { MessageKind, PayloadBinding } from "../codec/payload.js";
import type { DefinitionProblem } from "../errors.js";
import { typeName } from "../util/type-name.js";
import type { Converter } from "./arguments.js";
import { compileHandler, type HandlerScope } from "./compile-handler.js";
import type { CompiledEndpointBase, CompiledHandler, CompiledMessageHandler, CompileSettings, EndpointPipeline, EndpointSite, PipelineHooks } from "./compiled.js";
import { compileRouter } from "./message-router.js";
import { compileProtocol } from "./compile-contract.js";
import { checkHttpTokens, checkInteger } from "../util/check-options.js";

// The part of compilation server and client endpoints share; compile-server.ts and compile-client.ts add
// what their kind needs. The compiled model's types are in compiled.ts.

/** The class's display name, or `null` (with a problem recorded) when it is not a class. */
export function endpointName(type: EndpointClass, decorator: string, problems: DefinitionProblem[]): string | null {
  if (typeof type === "function") return type.name || "(anonymous class)";
  problems.push({ where: String(type), problem: "is not a class.", fix: `pass endpoint classes decorated with ${decorator}.` });
  return null;
}

/**
 * Compiles what every endpoint shares (handlers, argument resolvers, codecs, routing, limits); the
 * caller adds what its kind needs (a server endpoint its path template). `null` when a problem was
 * recorded.
 */
export function compileEndpointBase(
  site: EndpointSite,
  settings: CompileSettings,
  problems: DefinitionProblem[],
): { readonly base: CompiledEndpointBase; readonly pathConverters: ConverterMap; readonly queryConverters: ConverterMap } | null {
  const { type, name, options } = site;
  const before = problems.length;
  checkOptions(name, site.decorator, options, problems);
  // Codec hooks assume well-formed codec options; the problems are already reported.
  if (checkCodecOptions(options, "").length > 0) return null;

  const slots: Partial<Record<string, CompiledHandler>> = {};
  const messages: Record<MessageKind, CompiledMessageHandler[]> = { text: [], binary: [], pong: [] };
  const inOrder: CompiledMessageHandler[] = [];
  const methods = new Set<string | symbol>();
  const maxMessageSize = options.maxMessageSize ?? settings.maxMessageSize;
  const pathConverters = new Map<string, Converter[]>();
  const queryConverters = new Map<string, Converter[]>();
  const payloadFor = (t: unknown): PayloadBinding | string =>
    settings.payloadFor ? settings.payloadFor(t, options) : `no decoder is registered for class ${typeName(t)}.`;

  const scope: HandlerScope = { site, params: readParams(type), maxMessageSize, payloadFor, pathConverters, queryConverters };
  for (const record of readHandlers(type)) {
    const compiled = compileHandler(record, scope, problems);
    if (compiled === null) continue;
    methods.add(record.method);
    if ("messages" in compiled) {
      for (const h of compiled.messages) messages[h.kind].push(h);
      inOrder.push(...compiled.messages);
      continue;
    }
    const existing = slots[compiled.key];
    if (existing) {
      problems.push({
        where: compiled.handler.label,
        problem: `${existing.label} already handles ${compiled.what}.`,
        fix: "keep one handler per lifecycle event and message kind (text, binary, pong).",
      });
      continue;
    }
    slots[compiled.key] = compiled.handler;
  }
  if (settings.pipeline === undefined && site.decorator === "@ClientEndpoint") refusePipeline(site, methods, problems);
  const pipeline = settings.pipeline === undefined ? null : applyPipeline(settings.pipeline, site, slots, messages, inOrder, problems);
  const routing = settings.routingFor ? settings.routingFor(options) : DEFAULT_ROUTING;
  const onText = compileRouter("text", messages.text, routing, problems);
  const onBinary = compileRouter("binary", messages.binary, routing, problems);
  const onPong = compileRouter("pong", messages.pong, routing, problems)?.direct ?? null;
  if (problems.length > before) return null;

  const encode = settings.encoderFor ? settings.encoderFor(options) : jsonEncoder;
  const { protocol, liveness, contract } = compileProtocol(site, routing, encode, messages.text, problems);
  if (problems.length > before) return null;
  const base: CompiledEndpointBase = Object.freeze({
    type,
    name,
    options,
    subprotocols: Object.freeze([...(options.subprotocols ?? [])]),
    maxMessageSize,
    onOpen: slots.open ?? null,
    onClose: slots.close ?? null,
    onError: slots.error ?? null,
    onText,
    onBinary,
    onPong,
    messages: Object.freeze(inOrder),
    replies: Object.freeze({ invalidMessages: routing.invalidMessages, typeField: routing.typeField, idField: routing.idField }),
    encode,
    injectsConstructor: type.length > 0 || (readConstructorParamTypes(type)?.length ?? 0) > 0,
    methods: Object.freeze([...methods]),
    protocol,
    liveness,
    contract,
    pipeline,
  });
  return { base, pathConverters, queryConverters };
}

type ConverterMap = ReadonlyMap<string, readonly Converter[]>;

/** A client endpoint has no pipeline: a declared guard, interceptor or filter would be ignored, so it is a problem. */
function refusePipeline(site: EndpointSite, methods: ReadonlySet<string | symbol>, problems: DefinitionProblem[]): void {
  const declared = [readPipeline(site.type), ...[...methods].map((m) => readPipeline(site.type, m))];
  if (declared.every((r) => r.guards.length + r.interceptors.length + r.errorFilters.length === 0)) return;
  problems.push({
    where: site.name,
    problem: `@Guard, @Intercept and @ErrorFilters apply to server endpoints; ${site.decorator} ignores them.`,
    fix: "remove them from this class, or handle the policy in the client's own handlers.",
  });
}

/**
 * Replaces each @OnOpen, @OnMessage and @OnClose handler with its pipeline-wrapped version (the same
 * object when nothing applies to it), in place, before the routers take them; returns the endpoint's
 * error part. Reads the class and method records once, here.
 */
function applyPipeline(
  hooks: PipelineHooks,
  site: EndpointSite,
  slots: Partial<Record<string, CompiledHandler>>,
  messages: Record<MessageKind, CompiledMessageHandler[]>,
  inOrder: CompiledMessageHandler[],
  problems: DefinitionProblem[],
): EndpointPipeline | null {
  const endpoint = readPipeline(site.type);
  const declared = (h: CompiledHandler) => ({ endpoint, method: readPipeline(site.type, h.method) });
  const open = slots.open;
  const closedSkips = open !== undefined && hooks.guardsOpen(site, declared(open));
  for (const key of ["open", "close"] as const) {
    const h = slots[key];
    if (h !== undefined) slots[key] = hooks.handler(h, site, key, undefined, declared(h), false, problems);
  }
  const wrapped = new Map<CompiledMessageHandler, CompiledMessageHandler>();
  for (const h of inOrder) wrapped.set(h, hooks.handler(h, site, "message", h.messageType, declared(h), closedSkips, problems));
  for (const kind of Object.keys(messages) as MessageKind[]) messages[kind] = messages[kind].map((h) => wrapped.get(h)!);
  inOrder.splice(0, inOrder.length, ...inOrder.map((h) => wrapped.get(h)!));
  return hooks.endpoint(site, endpoint, problems);
}

function checkOptions(name: string, decorator: string, options: Readonly<EndpointOptions>, problems: DefinitionProblem[]): void {
  const size: string[] = [];
  checkInteger(size, "maxMessageSize", options.maxMessageSize, { unit: "bytes" });
  for (const p of size) problems.push({ where: name, problem: `${p}.`, fix: "e.g. maxMessageSize: 64 * 1024." });
  const tokens: string[] = [];
  checkHttpTokens(tokens, "subprotocols", options.subprotocols);
  for (const p of tokens) problems.push({ where: name, problem: `${p}.`, fix: 'e.g. subprotocols: ["chat.v1"].' });
  for (const p of checkCodecOptions(options, decorator)) problems.push({ where: name, problem: `${p}.`, fix: "see the codecs guide (docs/codecs.md)." });
}

const DEFAULT_ROUTING = mergeCodecSettings(undefined, {});

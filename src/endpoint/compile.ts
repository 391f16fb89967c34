import {
  LIFECYCLE,
  readEndpoint,
  readHandlers,
  readConstructorParamTypes,
  readParams,
  readParamTypes,
  type EndpointClass,
  type EndpointOptions,
  type HandlerRecord,
  type LifecycleKind,
  type ServerEndpointOptions,
} from "../../decorators/metadata.js";
import { checkCodecOptions, mergeCodecSettings } from "../codec/codec-options.js";
import type { InvalidMessageSettings } from "../codec/invalid-message.js";
import { compileRouter, type MessageRouter, type RoutingSettings } from "../codec/message-router.js";
import type { MessageKind, PayloadBinding, PayloadDecoder } from "../codec/payload.js";
import { EndpointDefinitionError, type DefinitionProblem } from "../errors.js";
import { jsonEncoder } from "../codec/json.js";
import type { ObjectEncoder } from "../session/endpoint-session.js";
import { argShape, compileParam, extraErrorParam, typeName, type ArgResolver, type ArgShape, type CompiledParam, type Converter } from "./arguments.js";
import { parsePathTemplate, type PathTemplate } from "./path-template.js";
import { checkHttpTokens, checkInteger } from "../util/check-options.js";

export { jsonEncoder };

/** A lifecycle method ready to call: the method and one resolver per parameter. */
export interface CompiledHandler {
  /** `Class.method`, for messages and logs. */
  readonly label: string;
  readonly method: string | symbol;
  /** The class's method (an instance of a subclass, or one that shadows it, is called by name instead). */
  readonly fn: (...args: unknown[]) => unknown;
  readonly args: readonly ArgResolver[];
  /** How the dispatcher passes the arguments (`args` only for `ARG_SHAPE.OTHER`). */
  readonly shape: ArgShape;
}

/** An `@OnMessage` method with how its payload is decoded. */
export interface CompiledMessageHandler extends CompiledHandler {
  readonly kind: MessageKind;
  readonly decode: PayloadDecoder;
  readonly maxMessageSize: number | undefined;
  /** How the payload is decoded (the binding `decode` comes from). */
  readonly binding: PayloadBinding;
  /** `@OnMessage({ type })`: the envelope discriminator value this handler takes. */
  readonly messageType: string | undefined;
}

/**
 * What the runtime (dispatcher, sessions) needs about any endpoint class, server or client; immutable,
 * built once before the first connection.
 */
export interface CompiledEndpointBase {
  readonly type: EndpointClass;
  readonly name: string;
  readonly options: Readonly<EndpointOptions>;
  readonly subprotocols: readonly string[];
  /** Largest inbound message in bytes (endpoint option or server default). */
  readonly maxMessageSize: number;
  readonly onOpen: CompiledHandler | null;
  readonly onClose: CompiledHandler | null;
  readonly onError: CompiledHandler | null;
  /** Chooses the handler of a text message (a single handler, typed envelopes, or decoders' willDecode). */
  readonly onText: MessageRouter | null;
  readonly onBinary: MessageRouter | null;
  readonly onPong: CompiledMessageHandler | null;
  /** Error-reply policy and envelope fields for undecodable messages and correlated replies. */
  readonly replies: InvalidMessageSettings;
  readonly encode: ObjectEncoder;
  /** Whether the constructor takes parameters (then each connection resolves it through the container). */
  readonly injectsConstructor: boolean;
  /** Names of the methods that handle lifecycle events and messages. */
  readonly methods: readonly (string | symbol)[];
}

/** A compiled server endpoint: the shared part plus what routing needs. */
export interface CompiledEndpoint extends CompiledEndpointBase {
  readonly template: PathTemplate;
  readonly options: Readonly<ServerEndpointOptions>;
  /** Converters of every @PathParam, checked at the handshake so bad values get HTTP 400. */
  readonly pathConverters: ReadonlyMap<string, readonly Converter[]>;
  /** Converters of every typed @QueryParam, checked at the handshake the same way (HTTP 400). */
  readonly queryConverters: ReadonlyMap<string, readonly Converter[]>;
}

/** Hooks through which codecs plug into compilation. */
export interface CompileSettings {
  /** Default largest inbound message, in bytes. */
  readonly maxMessageSize: number;
  /** Binding for a payload class (DTO), or a sentence saying why there is none. */
  readonly payloadFor?: (type: unknown, endpoint: Readonly<EndpointOptions>) => PayloadBinding | string;
  /** Object encoder of an endpoint. */
  readonly encoderFor?: (endpoint: Readonly<EndpointOptions>) => ObjectEncoder;
  /** Envelope fields and invalid-message policy of an endpoint (default: codec defaults). */
  readonly routingFor?: (endpoint: Readonly<EndpointOptions>) => RoutingSettings & InvalidMessageSettings;
}

const KIND_DECORATOR: Record<LifecycleKind, string> = {
  open: "@OnOpen",
  message: "@OnMessage",
  close: "@OnClose",
  error: "@OnError",
};

/**
 * Compiles endpoint classes, reporting every problem of every class at once.
 *
 * @throws EndpointDefinitionError listing each problem with its fix.
 */
export function compileEndpoints(classes: readonly EndpointClass[], settings: CompileSettings): CompiledEndpoint[] {
  const problems: DefinitionProblem[] = [];
  const compiled: CompiledEndpoint[] = [];
  for (const type of classes) {
    const c = compileEndpointInto(type, settings, problems);
    if (c) compiled.push(c);
  }
  const byShape = new Map<string, CompiledEndpoint>();
  for (const c of compiled) {
    const other = byShape.get(c.template.shapeKey);
    if (other) {
      problems.push({
        where: c.name,
        problem:
          other.template.source === c.template.source
            ? `path "${c.template.source}" is already used by ${other.name}.`
            : `path "${c.template.source}" matches exactly the same requests as "${other.template.source}" of ${other.name}.`,
        fix: "give each endpoint its own path.",
      });
    } else byShape.set(c.template.shapeKey, c);
  }
  if (problems.length > 0) throw new EndpointDefinitionError(problems);
  return compiled;
}

/** Compiles one endpoint class. @throws EndpointDefinitionError */
export function compileEndpoint(type: EndpointClass, settings: CompileSettings): CompiledEndpoint {
  return compileEndpoints([type], settings)[0]!;
}

/** The class's display name, or `null` (with a problem recorded) when it is not a class. */
export function endpointName(type: EndpointClass, decorator: string, problems: DefinitionProblem[]): string | null {
  if (typeof type === "function") return type.name || "(anonymous class)";
  problems.push({ where: String(type), problem: "is not a class.", fix: `pass endpoint classes decorated with ${decorator}.` });
  return null;
}

function compileEndpointInto(type: EndpointClass, settings: CompileSettings, problems: DefinitionProblem[]): CompiledEndpoint | null {
  const name = endpointName(type, "@ServerEndpoint", problems);
  if (name === null) return null;
  const options = readEndpoint(type);
  if (!options) {
    problems.push({
      where: name,
      problem: "has no @ServerEndpoint decorator.",
      fix: `add @ServerEndpoint("/path") to class ${name}, or remove it from the endpoints list.`,
    });
    return null;
  }
  const before = problems.length;
  const parsed = parsePathTemplate(options.path);
  if ("error" in parsed) problems.push({ where: name, problem: `@ServerEndpoint ${parsed.error}`, fix: 'use a path like "/chat" or "/rooms/{room}".' });
  const template = "error" in parsed ? null : parsed;
  const site = { type, name, decorator: "@ServerEndpoint", options, templateVariables: template?.variables ?? [] };
  const compiled = compileEndpointBase(site, settings, problems);
  if (compiled === null || problems.length > before || template === null) return null;
  return Object.freeze({ ...compiled.base, options, template, pathConverters: compiled.pathConverters, queryConverters: compiled.queryConverters });
}

/** The class being compiled and what its kind of endpoint supplies. */
export interface EndpointSite {
  readonly type: EndpointClass;
  readonly name: string;
  /** `@ServerEndpoint` or `@ClientEndpoint`, for messages. */
  readonly decorator: string;
  readonly options: Readonly<EndpointOptions>;
  /** Path template variables (none for a client endpoint). */
  readonly templateVariables: readonly string[];
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
  const { type, name, options, templateVariables } = site;
  const before = problems.length;
  checkOptions(name, site.decorator, options, problems);
  // Codec hooks assume well-formed codec options; the problems are already reported.
  if (checkCodecOptions(options, "").length > 0) return null;

  const params = readParams(type);
  const slots: Partial<Record<string, CompiledHandler>> = {};
  const messages: Record<MessageKind, CompiledMessageHandler[]> = { text: [], binary: [], pong: [] };
  const methods = new Set<string | symbol>();
  const maxMessageSize = options.maxMessageSize ?? settings.maxMessageSize;
  const pathConverters = new Map<string, Converter[]>();
  const queryConverters = new Map<string, Converter[]>();
  const payloadFor = (t: unknown): PayloadBinding | string =>
    settings.payloadFor ? settings.payloadFor(t, options) : `no decoder is registered for class ${typeName(t)}.`;

  for (const record of readHandlers(type)) {
    const label = `${name}.${String(record.method)}`;
    const fn = (type.prototype as Record<string | symbol, unknown>)[record.method];
    if (typeof fn !== "function") {
      problems.push({ where: label, problem: `${KIND_DECORATOR[record.kind]} is on something that is not a method.`, fix: "decorate a method." });
      continue;
    }
    const declared = readParamTypes(type, record.method);
    const count = Math.max(fn.length, declared?.length ?? 0);
    const compiledParams: CompiledParam[] = [];
    let ok = true;
    for (let index = 0; index < count; index++) {
      const explicit = params.find((p) => p.method === record.method && p.index === index);
      const r = compileParam({
        label,
        kind: record.kind,
        index,
        declaredType: declared?.[index],
        explicit,
        templateVariables,
        payloadFor,
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
    if (!ok) continue;
    for (const p of compiledParams) {
      if (p.pathParam) addConverter(pathConverters, p.pathParam);
      if (p.queryParam) addConverter(queryConverters, p.queryParam);
    }
    const args = Object.freeze(compiledParams.map((p) => p.resolve));
    const shape = argShape(args);
    const handlerFn = fn as (...a: unknown[]) => unknown;
    methods.add(record.method);
    const slot = slotOf(record, compiledParams, label, problems);
    if (slot === null) continue;
    if (slot.payload) {
      const m = record.options.maxMessageSize;
      if (m !== undefined && (!Number.isInteger(m) || m <= 0 || m > maxMessageSize)) {
        problems.push({
          where: label,
          problem: `maxMessageSize must be a positive integer of bytes no larger than the endpoint's limit (${maxMessageSize}); got ${String(m)}.`,
          fix: "lower the handler's maxMessageSize, or raise the endpoint's maxMessageSize option.",
        });
        continue;
      }
      const t = record.options.type;
      if (t !== undefined && (typeof t !== "string" || t.length === 0)) {
        problems.push({ where: label, problem: `@OnMessage type must be a non-empty string; got ${JSON.stringify(t)}.`, fix: 'e.g. @OnMessage({ type: "chat" }).' });
        continue;
      }
      // A type with text and binary decoders takes both kinds of message with the same method.
      for (let b: PayloadBinding | undefined = slot.payload; b !== undefined; b = b.also) {
        messages[b.kind].push(Object.freeze({ label, method: record.method, fn: handlerFn, args, shape, kind: b.kind, decode: b.decode, maxMessageSize: m, binding: b, messageType: t }));
      }
      continue;
    }
    const existing = slots[slot.key];
    if (existing) {
      problems.push({
        where: label,
        problem: `${existing.label} already handles ${slot.what}.`,
        fix: "keep one handler per lifecycle event and message kind (text, binary, pong).",
      });
      continue;
    }
    slots[slot.key] = Object.freeze({ label, method: record.method, fn: handlerFn, args, shape });
  }
  const routing = settings.routingFor ? settings.routingFor(options) : DEFAULT_ROUTING;
  const onText = compileRouter("text", messages.text, routing, problems);
  const onBinary = compileRouter("binary", messages.binary, routing, problems);
  const onPong = compileRouter("pong", messages.pong, routing, problems)?.direct ?? null;
  if (problems.length > before) return null;

  const encode = settings.encoderFor ? settings.encoderFor(options) : jsonEncoder;
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
    replies: Object.freeze({ invalidMessages: routing.invalidMessages, typeField: routing.typeField, idField: routing.idField }),
    encode,
    injectsConstructor: type.length > 0 || (readConstructorParamTypes(type)?.length ?? 0) > 0,
    methods: Object.freeze([...methods]),
  });
  return { base, pathConverters, queryConverters };
}

type ConverterMap = ReadonlyMap<string, readonly Converter[]>;

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
      fix: "declare exactly one parameter of type string (text), Buffer/ArrayBuffer/Uint8Array (binary), PongMessage, or a DTO class.",
    });
    return null;
  }
  const payload = payloads[0]!.payload!;
  return { key: payload.kind, what: `${payload.kind} messages`, payload };
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

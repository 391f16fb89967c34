import {
  LIFECYCLE,
  readEndpoint,
  readHandlers,
  readParams,
  readParamTypes,
  type EndpointClass,
  type EndpointOptions,
  type HandlerRecord,
  type LifecycleKind,
  type ServerEndpointOptions,
} from "../../decorators/metadata.js";
import type { MessageKind, PayloadBinding, PayloadDecoder } from "../codec/payload.js";
import { EncodeError, EndpointDefinitionError, type DefinitionProblem } from "../errors.js";
import type { ObjectEncoder } from "../session/endpoint-session.js";
import { compileParam, typeName, type ArgResolver, type CompiledParam, type Converter } from "./arguments.js";
import { parsePathTemplate, type PathTemplate } from "./path-template.js";

/** A lifecycle method ready to call: the method and one resolver per parameter. */
export interface CompiledHandler {
  /** `Class.method`, for messages and logs. */
  readonly label: string;
  readonly method: string | symbol;
  readonly args: readonly ArgResolver[];
}

/** An `@OnMessage` method with how its payload is decoded. */
export interface CompiledMessageHandler extends CompiledHandler {
  readonly kind: MessageKind;
  readonly decode: PayloadDecoder;
  readonly maxMessageSize: number | undefined;
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
  readonly onText: CompiledMessageHandler | null;
  readonly onBinary: CompiledMessageHandler | null;
  readonly onPong: CompiledMessageHandler | null;
  readonly encode: ObjectEncoder;
}

/** A compiled server endpoint: the shared part plus what routing needs. */
export interface CompiledEndpoint extends CompiledEndpointBase {
  readonly template: PathTemplate;
  readonly options: Readonly<ServerEndpointOptions>;
  /** Converters of every @PathParam, checked at the handshake so bad values get HTTP 400. */
  readonly pathConverters: ReadonlyMap<string, readonly Converter[]>;
}

/** Hooks through which codecs plug into compilation. */
export interface CompileSettings {
  /** Default largest inbound message, in bytes. */
  readonly maxMessageSize: number;
  /** Binding for a payload class (DTO), or a sentence saying why there is none. */
  readonly payloadFor?: (type: unknown, endpoint: Readonly<EndpointOptions>) => PayloadBinding | string;
  /** Object encoder of an endpoint. */
  readonly encoderFor?: (endpoint: Readonly<EndpointOptions>) => ObjectEncoder;
}

/** JSON, the default object encoding. */
export const jsonEncoder: ObjectEncoder = (value) => {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new EncodeError(`sendObject: the value cannot be encoded as JSON: ${(error as Error).message}`, error);
  }
  if (text === undefined) throw new EncodeError(`sendObject: a value of type ${typeof value} has no JSON form.`);
  return { data: text, binary: false };
};

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
  const compiled = compileEndpointBase(type, name, options, template?.variables ?? [], settings, problems);
  if (compiled === null || problems.length > before || template === null) return null;
  return Object.freeze({ ...compiled.base, options, template, pathConverters: compiled.pathConverters });
}

/**
 * Compiles what every endpoint shares (handlers, argument resolvers, codecs, limits); the caller adds
 * what its kind needs (a server endpoint its path template). `null` when a problem was recorded.
 */
export function compileEndpointBase(
  type: EndpointClass,
  name: string,
  options: Readonly<EndpointOptions>,
  templateVariables: readonly string[],
  settings: CompileSettings,
  problems: DefinitionProblem[],
): { readonly base: CompiledEndpointBase; readonly pathConverters: ReadonlyMap<string, readonly Converter[]> } | null {
  const before = problems.length;
  checkOptions(name, options, problems);
  const params = readParams(type);
  const slots: Partial<Record<string, CompiledHandler | CompiledMessageHandler>> = {};
  const pathConverters = new Map<string, Converter[]>();
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
    if (!ok) continue;
    for (const p of compiledParams) {
      if (p.pathParam) {
        const list = pathConverters.get(p.pathParam.name) ?? [];
        list.push(p.pathParam.convert);
        pathConverters.set(p.pathParam.name, list);
      }
    }
    const args = Object.freeze(compiledParams.map((p) => p.resolve));
    const slot = slotOf(record, compiledParams, label, problems);
    if (slot === null) continue;
    const existing = slots[slot.key];
    if (existing) {
      problems.push({
        where: label,
        problem: `${existing.label} already handles ${slot.what}.`,
        fix: "keep one handler per lifecycle event and message kind (text, binary, pong).",
      });
      continue;
    }
    slots[slot.key] = Object.freeze(
      slot.payload
        ? { label, method: record.method, args, kind: slot.payload.kind, decode: slot.payload.decode, maxMessageSize: record.options.maxMessageSize }
        : { label, method: record.method, args },
    );
  }
  if (problems.length > before) return null;

  const encode = settings.encoderFor ? settings.encoderFor(options) : jsonEncoder;
  const base: CompiledEndpointBase = Object.freeze({
    type,
    name,
    options,
    subprotocols: Object.freeze([...(options.subprotocols ?? [])]),
    maxMessageSize: options.maxMessageSize ?? settings.maxMessageSize,
    onOpen: slots.open ?? null,
    onClose: slots.close ?? null,
    onError: slots.error ?? null,
    onText: (slots.text as CompiledMessageHandler | undefined) ?? null,
    onBinary: (slots.binary as CompiledMessageHandler | undefined) ?? null,
    onPong: (slots.pong as CompiledMessageHandler | undefined) ?? null,
    encode,
  });
  return { base, pathConverters };
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

function checkOptions(name: string, options: Readonly<EndpointOptions>, problems: DefinitionProblem[]): void {
  const m = options.maxMessageSize;
  if (m !== undefined && (!Number.isInteger(m) || m <= 0)) {
    problems.push({ where: name, problem: `maxMessageSize must be a positive integer of bytes; got ${String(m)}.`, fix: "e.g. maxMessageSize: 64 * 1024." });
  }
  const sp = options.subprotocols;
  if (sp !== undefined && (!Array.isArray(sp) || sp.some((s) => typeof s !== "string" || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s)))) {
    problems.push({ where: name, problem: "subprotocols must be a list of HTTP tokens.", fix: 'e.g. subprotocols: ["chat.v1"].' });
  }
}

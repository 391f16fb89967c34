import type { LifecycleKind, ParamRecord } from "../../decorators/metadata.js";
import { builtInPayload, type PayloadBinding } from "../codec/payload.js";
import { CloseReason } from "../close-reason.js";
import type { DefinitionProblem } from "../errors.js";
import type { WsSession } from "../session/ws-session.js";
import { Session } from "../session/session.js";
import { typeName } from "../util/type-name.js";

/** Mutable per-session context the resolvers read; one object per session, reused for every call. */
export interface InvocationContext {
  session: WsSession;
  payload: unknown;
  closeReason: CloseReason | undefined;
  error: Error | undefined;
}

/** Produces one argument of a handler call. */
export type ArgResolver = (ctx: InvocationContext) => unknown;

/** Converts a path or query string value to the declared parameter type. */
export type Converter = (raw: string) => unknown;

/** Thrown by converters; the handshake turns it into HTTP 400. */
export class ConversionFailure extends Error {}

const toNumber: Converter = (raw) => {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) throw new ConversionFailure(`${JSON.stringify(raw)} is not a number`);
  return n;
};
const toBoolean: Converter = (raw) => {
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new ConversionFailure(`${JSON.stringify(raw)} is not true or false`);
};
const toStringValue: Converter = (raw) => raw;

/** The converter for a declared `string | number | boolean` type, or `undefined`. */
export function converterFor(type: unknown): Converter | undefined {
  if (type === String || type === undefined) return toStringValue;
  if (type === Number) return toNumber;
  if (type === Boolean) return toBoolean;
  return undefined;
}

/** The declared type a path or query converter stands for, as documentation names it. */
export function converterTypeName(convert: Converter): "number" | "boolean" | "string" {
  return convert === toNumber ? "number" : convert === toBoolean ? "boolean" : "string";
}

/** What compiling one parameter produced. */
export interface CompiledParam {
  readonly resolve: ArgResolver;
  /** Set when this parameter is the message payload. */
  readonly payload?: PayloadBinding;
  /** The payload's declared type (`@Payload(T)` or the emitted parameter type), with `payload`. */
  readonly payloadType?: unknown;
  /** Set for @PathParam parameters, for validation at the handshake. */
  readonly pathParam?: { readonly name: string; readonly convert: Converter };
  /** Set for typed @QueryParam parameters, checked at the handshake like path parameters. */
  readonly queryParam?: { readonly name: string; readonly convert: Converter };
}

/** Everything the parameter compiler needs to know about the method. */
export interface ParamSite {
  readonly label: string;
  readonly kind: LifecycleKind;
  readonly index: number;
  readonly declaredType: unknown;
  readonly explicit: ParamRecord | undefined;
  readonly templateVariables: readonly string[];
  readonly payloadFor: (type: unknown) => PayloadBinding | string;
}

const session: ArgResolver = (ctx) => ctx.session;
const payload: ArgResolver = (ctx) => ctx.payload;

/**
 * The parameter lists the dispatcher calls without resolvers (the payload and the session are at hand):
 * what nearly every `@OnMessage` declares. `OTHER` resolves each argument from the invocation context;
 * `PIPELINE` (set by the pipeline, never by `argShape`) calls the handler's compiled guard/interceptor chain.
 */
export const ARG_SHAPE = { NONE: 0, PAYLOAD: 1, PAYLOAD_SESSION: 2, SESSION_PAYLOAD: 3, SESSION: 4, OTHER: 5, PIPELINE: 6 } as const;
export type ArgShape = (typeof ARG_SHAPE)[keyof typeof ARG_SHAPE];

/** The shape of a compiled parameter list. */
export function argShape(args: readonly ArgResolver[]): ArgShape {
  const [a, b] = args;
  switch (args.length) {
    case 0:
      return ARG_SHAPE.NONE;
    case 1:
      return a === payload ? ARG_SHAPE.PAYLOAD : a === session ? ARG_SHAPE.SESSION : ARG_SHAPE.OTHER;
    case 2:
      if (a === payload && b === session) return ARG_SHAPE.PAYLOAD_SESSION;
      return a === session && b === payload ? ARG_SHAPE.SESSION_PAYLOAD : ARG_SHAPE.OTHER;
    default:
      return ARG_SHAPE.OTHER;
  }
}
const closeReason: ArgResolver = (ctx) => ctx.closeReason;
const error: ArgResolver = (ctx) => ctx.error;
const principal: ArgResolver = (ctx) => ctx.session.getUserPrincipal();

/**
 * An @OnError method with more than one error parameter: with `unknown`/`Object` accepted as the error, a
 * `Session` imported with `import type` (emitted as Object) would silently receive the error too.
 */
export function extraErrorParam(label: string, params: readonly CompiledParam[]): DefinitionProblem | undefined {
  const at = params.flatMap((p, i) => (p.resolve === error ? [i] : []));
  if (at.length < 2) return undefined;
  return {
    where: label,
    parameterIndex: at[1]!,
    problem: `parameters #${at.join(", #")} would all receive the error (their types are Error, unknown, any or Object at run time).`,
    fix: "declare one error parameter; a Session or CloseReason must be imported as a value (not `import type`) so its type exists at run time, or mark it @SessionParam().",
  };
}

function isErrorType(type: unknown): boolean {
  return type === Error || (typeof type === "function" && type.prototype instanceof Error);
}

/** Compiles one handler parameter into a resolver, or reports why it cannot be resolved. */
export function compileParam(site: ParamSite): CompiledParam | DefinitionProblem {
  const { label, kind, index, explicit } = site;
  const type = explicit?.type ?? site.declaredType;
  const problem = (text: string, fix: string): DefinitionProblem => ({ where: label, parameterIndex: index, problem: text, fix });

  if (explicit !== undefined) {
    const src = explicit.source;
    switch (src.from) {
      case "path": {
        if (!site.templateVariables.includes(src.name)) {
          return problem(
            `@PathParam("${src.name}") names no variable of the path template (variables: ${site.templateVariables.map((v) => `{${v}}`).join(", ") || "none"}).`,
            `use one of the template's variable names, or add {${src.name}} to the @ServerEndpoint path.`,
          );
        }
        const convert = converterFor(type);
        if (!convert) return problem(`@PathParam("${src.name}") is declared as ${typeName(type)}.`, "declare it as string, number or boolean.");
        const name = src.name;
        return { resolve: (ctx) => convert(ctx.session.info.pathParams[name]!), pathParam: { name, convert } };
      }
      case "query": {
        const convert = converterFor(type);
        if (!convert) return problem(`@QueryParam("${src.name}") is declared as ${typeName(type)}.`, "declare it as string, number or boolean.");
        const name = src.name;
        return {
          resolve: (ctx) => {
            const v = ctx.session.getRequestParameterMap().get(name)?.[0];
            return v === undefined ? undefined : convert(v);
          },
          // A string never fails to convert: only typed ones need the handshake check.
          ...(convert === toStringValue ? {} : { queryParam: { name, convert } }),
        };
      }
      case "payload":
        return compilePayload(site, type, problem);
      case "session":
        return { resolve: session };
      case "close-reason":
        if (kind !== "close") return problem("@CloseReasonParam() is only available to @OnClose methods.", "remove it or move the parameter to the @OnClose method.");
        return { resolve: closeReason };
      case "error":
        if (kind !== "error") return problem("@ErrorParam() is only available to @OnError methods.", "remove it or move the parameter to the @OnError method.");
        return { resolve: error };
      case "principal":
        return { resolve: principal };
    }
  }

  if (type === undefined) {
    return problem(
      "its type is not known at run time: the compiler emitted no decorator metadata.",
      'enable "emitDecoratorMetadata" and "experimentalDecorators" in tsconfig.json (esbuild/tsx do not emit it; use tsc or swc with decoratorMetadata), or mark each parameter explicitly: @Payload(ChatMessage), @SessionParam(), @CloseReasonParam(), @ErrorParam(), @PathParam(name).',
    );
  }
  if (type === Session || (typeof type === "function" && type.prototype instanceof Session)) return { resolve: session };
  if (type === CloseReason) {
    if (kind !== "close") return problem("a CloseReason is only available to @OnClose methods.", "remove the parameter or move it to the @OnClose method.");
    return { resolve: closeReason };
  }
  if (isErrorType(type)) {
    if (kind !== "error") return problem("an Error parameter is only available to @OnError methods.", "remove the parameter or move it to the @OnError method.");
    return { resolve: error };
  }
  if (kind === "message") return compilePayload(site, type, problem);
  if (kind === "error") {
    // `unknown`, `any` and `Object` all emit Object: the usual TypeScript way to declare a caught error.
    if (type === Object) return { resolve: error };
    return problem(
      `is declared as ${typeName(type)}, which @OnError can never pass: it receives the Error that was thrown (a thrown non-Error value arrives as a HandlerError).`,
      "declare the error parameter as unknown, Error or an Error subclass (narrow with instanceof inside the method), or mark it @ErrorParam().",
    );
  }
  return problem(
    `cannot supply a value of type ${typeName(type)} to an @On${kind[0]!.toUpperCase()}${kind.slice(1)} method.`,
    "use Session, CloseReason (@OnClose), Error (@OnError), or mark it with @PathParam(name) / @QueryParam(name); inject services through the constructor.",
  );
}

function compilePayload(
  site: ParamSite,
  type: unknown,
  problem: (text: string, fix: string) => DefinitionProblem,
): CompiledParam | DefinitionProblem {
  if (site.kind !== "message") {
    return problem("a message payload is only available to @OnMessage methods.", "remove the parameter or move it to an @OnMessage method.");
  }
  if (type === Object || type === Function || type === undefined) {
    return problem(
      "its declared type does not exist at run time (an interface, a union, any, or an `import type`).",
      "declare the payload as string, TextMessage, Buffer, ArrayBuffer, Uint8Array, PongMessage or a class (DTO) imported as a value.",
    );
  }
  const binding = builtInPayload(type) ?? site.payloadFor(type);
  if (typeof binding === "string") return problem(binding, "declare a decoder for the type, or receive it as string / Buffer.");
  return { resolve: payload, payload: binding, payloadType: type };
}

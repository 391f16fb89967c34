import type { ClientEndpointOptions, EndpointClass, EndpointOptions, ServerEndpointOptions } from "../../decorators/metadata.js";
import type { CodecHooks } from "../codec/codec-registry.js";
import type { ObjectEncoder } from "../codec/coders.js";
import type { InvalidMessageSettings } from "../codec/invalid-message.js";
import type { MessageKind, PayloadBinding, PayloadDecoder } from "../codec/payload.js";
import type { ArgResolver, ArgShape, Converter } from "./arguments.js";
import type { PathTemplate } from "./path-template.js";
import type { ContractShape } from "../contract/contract.js";
import type { MessageProtocol } from "../session/message-protocol.js";
import type { LifecycleKind, PipelineRecord } from "../../decorators/metadata.js";
import type { DefinitionProblem } from "../errors.js";
import type { WsSession } from "../session/ws-session.js";
import type { InvocationContext } from "./arguments.js";
import type { ErrorClass, ErrorFilter, GuardRefusal, UnhandledErrorHook } from "../pipeline/types.js";

// The compiled endpoint model: what the compiler produces once at bootstrap and everything after it reads
// (runtime/, server/, broker/, asyncapi/). Types only: readers depend on the model, never on the compiler,
// and nothing here reads decorator metadata.

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
  /**
   * With `ARG_SHAPE.PIPELINE` only: the handler's guards, interceptors and span around the call of the
   * handler it wraps. Handlers nothing applies to have no such field and keep their own shape.
   */
  readonly pipeline?: PipelineCall;
}

/** A compiled guard/interceptor/span chain around one handler; returns the handler's result or a promise. */
export type PipelineCall = (fn: (...args: unknown[]) => unknown, inst: object, session: WsSession, ctx: InvocationContext, payload: unknown) => unknown;

/** An error filter with its classes, ready to match. */
export interface CompiledErrorFilter {
  readonly catches: readonly ErrorClass[];
  readonly filter: ErrorFilter;
}

/** What error routing needs of the pipeline, per endpoint (compiled once; `null` when nothing applies). */
export interface EndpointPipeline {
  /** The endpoint's own filters: consulted before `global`. */
  readonly filters: readonly CompiledErrorFilter[];
  readonly global: readonly CompiledErrorFilter[];
  readonly guardRefusal: GuardRefusal;
  readonly onError: UnhandledErrorHook | null;
}

/** How the compiler asks the pipeline (server/bootstrap builds it from the options) to wrap handlers. */
export interface PipelineHooks {
  /** The endpoint's error part from its class-level record, or `null` when no filter or hook applies. */
  endpoint(site: EndpointSite, declared: PipelineRecord, problems: DefinitionProblem[]): EndpointPipeline | null;
  /**
   * `h` wrapped in what applies to it (global, class `declared.endpoint`, method `declared.method`), or
   * `h` itself when nothing does. `closedSkips`: the endpoint's @OnOpen is guarded, so a message handler
   * must not run for a session that is no longer open.
   */
  handler<H extends CompiledHandler>(
    h: H,
    site: EndpointSite,
    kind: LifecycleKind,
    messageType: string | undefined,
    declared: { readonly endpoint: PipelineRecord; readonly method: PipelineRecord },
    closedSkips: boolean,
    problems: DefinitionProblem[],
  ): H;
  /** Whether `h` (an @OnOpen) would get any guard. */
  guardsOpen(site: EndpointSite, declared: { readonly endpoint: PipelineRecord; readonly method: PipelineRecord }): boolean;
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
  /** The payload type the method declares (`@Payload(T)` or the emitted parameter type); for documentation. */
  readonly payloadType: unknown;
  /** The method's emitted return type (`undefined` for void or when none was emitted); for documentation. */
  readonly replyType: unknown;
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
  /** Every message handler in declaration order (routers hold them by kind), for tools such as the AsyncAPI generator. */
  readonly messages: readonly CompiledMessageHandler[];
  /** Error-reply policy and envelope fields for undecodable messages and correlated replies. */
  readonly replies: InvalidMessageSettings;
  readonly encode: ObjectEncoder;
  /** Whether the constructor takes parameters (then each connection resolves it through the container). */
  readonly injectsConstructor: boolean;
  /** Names of the methods that handle lifecycle events and messages. */
  readonly methods: readonly (string | symbol)[];
  /** Error filters, guard refusal policy and the `onError` hook; `null` when none applies. */
  readonly pipeline: EndpointPipeline | null;
  /** Envelope settings, contract and encoding of `session.send`/`request`, shared by the endpoint's sessions. */
  readonly protocol: MessageProtocol;
  /** The `$ping` texts answered before dispatch (`liveness: true`), or `null`. */
  readonly liveness: LivenessFrames | null;
  /** The `contract` option, checked against the handlers; `null` when none. */
  readonly contract: ContractShape | null;
}

/** The exact `$ping` texts an endpoint with `liveness: true` answers, and the `$pong` for each (same index). */
export interface LivenessFrames {
  readonly pings: readonly Buffer[];
  readonly pongs: readonly string[];
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

/**
 * What a compile needs besides the classes: the default size limit, and the codec hooks (`codec/codec-registry.ts`
 * builds them; an absent hook means no payload classes, the JSON encoder and the codec-default routing).
 */
export interface CompileSettings extends Partial<CodecHooks> {
  /** Default largest inbound message, in bytes. */
  readonly maxMessageSize: number;
  /** Guards, interceptors, error filters and tracing (server endpoints); absent: none. */
  readonly pipeline?: PipelineHooks;
}

/** A compiled `@ClientEndpoint` class: the shared handlers and codecs; no path template. */
export interface CompiledClientEndpoint extends CompiledEndpointBase {
  readonly options: Readonly<ClientEndpointOptions>;
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
  /** The path template as written (server endpoints), for spans. */
  readonly path?: string;
}

/** A message matched to its handler; `payload` may still be a promise (async decoding, validation). */
export interface RoutedMessage {
  readonly handler: CompiledMessageHandler;
  readonly payload: unknown;
  /** The envelope's correlation id, echoed in the reply; `undefined` when none. */
  readonly replyId: unknown;
}

/**
 * Chooses the handler of one kind of message (text, binary or pong). Compiled at bootstrap into either a
 * single handler (`direct`: the dispatcher decodes with it, no routing work per message) or a `route`
 * function over a prepared table.
 */
export interface MessageRouter {
  readonly kind: MessageKind;
  /** The only handler, when choosing needs no look at the message; `null` when `route` must run. */
  readonly direct: CompiledMessageHandler | null;
  /** Every handler of this kind, in declaration order. */
  readonly handlers: readonly CompiledMessageHandler[];
  /**
   * Chooses and starts decoding; `null` for a `$reply` no request waits for (late, after its timeout),
   * which is dropped. @throws DecodeError when no handler takes the message.
   */
  route(data: Buffer): RoutedMessage | null;
}

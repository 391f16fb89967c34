/**
 * The only module that knows the metadata keys. Decorators write through the
 * writers here; `src/endpoint/compile.ts` reads through the readers, once, at
 * bootstrap. Nothing in this folder imports `src/` or tsyringe.
 */
// Type-only imports: erased at run time, so this folder still has no run-time dependency on src/,
// while the decorator options are checked against the real option types at compile time.
import type { CodecOptions } from "../src/codec/codec-options.js";
import type { ContractShape } from "../src/contract/contract.js";
import type { Configurator } from "../src/handshake/configurator.js";
import type { PerMessageDeflateOptions } from "../src/handshake/deflate.js";
import type { RateLimitOptions } from "../src/runtime/rate-limit.js";
import type { OutboundOptions } from "../src/session/outbound-options.js";
import type { ErrorFilterLike, GuardLike, InterceptorLike } from "../src/pipeline/types.js";
import type { RecoveryOptions } from "../src/recovery/recovery-options.js";

export type { EndpointClass } from "./endpoint-class.js";
import type { EndpointClass } from "./endpoint-class.js";

/** Lifecycle kinds a method can be bound to. */
export const LIFECYCLE = {
  OPEN: "open",
  MESSAGE: "message",
  CLOSE: "close",
  ERROR: "error",
} as const;
export type LifecycleKind = (typeof LIFECYCLE)[keyof typeof LIFECYCLE];

/** Options accepted by `@ServerEndpoint`, validated again at bootstrap (for plain JavaScript callers);
 * codec options (`decoders`, `encoders`, `validation`, `invalidMessages`, `envelope`) are described in
 * the codecs guide. */
export interface ServerEndpointOptions extends CodecOptions {
  /** Path or path template, e.g. `/chat/{room}`. */
  path: string;
  /** Subprotocols this endpoint supports, in order of preference. */
  subprotocols?: readonly string[] | undefined;
  /** Largest inbound message in bytes; larger ones close the session with 1009. */
  maxMessageSize?: number | undefined;
  /** Handshake configurator class or instance (see `Configurator`); replaces the global one. */
  configurator?: Configurator | (new (...args: never[]) => Configurator) | undefined;
  /** Refuse upgrades with 400 when no subprotocol could be selected. */
  requireSubprotocol?: boolean | undefined;
  /** Concurrent connections to this endpoint; more get 503. */
  maxConnections?: number | undefined;
  /** Heartbeat ping interval in ms for this endpoint's sessions (0 disables). */
  heartbeatInterval?: number | undefined;
  /** Idle timeout in ms (0: never); sessions may change it with `setMaxIdleTimeout`. */
  maxIdleTimeout?: number | undefined;
  /** Per-session inbound rate limit (see `RateLimitOptions`), or false. */
  rateLimit?: RateLimitOptions | false | undefined;
  /** Outbound queue bounds and overflow policy (see `OutboundOptions`), merged over the server's. */
  outbound?: OutboundOptions | undefined;
  /** Basic send timeout in ms (0: none). */
  sendTimeout?: number | undefined;
  /** permessage-deflate for this endpoint (see `PerMessageDeflateOptions`). */
  perMessageDeflate?: boolean | PerMessageDeflateOptions | undefined;
  /**
   * The message contract this endpoint implements (`defineContract`, `ws-endpoints/contract`): bootstrap
   * checks that every contract `client` message has its `@OnMessage({ type })` handler with the contract's
   * payload class, and `session.send`/`request` accept only the contract's `server` messages (docs/contract.md).
   */
  contract?: ContractShape | undefined;
  /**
   * Answer the exact text `{"type":"$ping"}` with `{"type":"$pong"}` before any parsing or dispatch: the
   * liveness signal of browser clients, which cannot see ping frames (default false; docs/contract.md).
   */
  liveness?: boolean | undefined;
  /** Server requests (`session.request`) one session may have waiting for their reply (default 16). */
  maxPendingRequests?: number | undefined;
  /** Default wait of `session.request` for the peer's reply, in ms (default 30 000). */
  requestTimeout?: number | undefined;
  /** Session recovery: a session that drops abnormally gets its id, rooms, properties and missed messages back when its client returns within `window` (see `RecoveryOptions`). */
  recovery?: RecoveryOptions | undefined;
}

/** Options accepted by `@ClientEndpoint`; codec options (`decoders`, `encoders`, `validation`,
 * `invalidMessages`, `envelope`) work exactly as on `@ServerEndpoint` (see the codecs guide). */
export interface ClientEndpointOptions extends CodecOptions {
  /** Subprotocols to offer to the server, in order of preference (a `connectToServer` option overrides). */
  subprotocols?: readonly string[] | undefined;
  /** Largest inbound message in bytes; larger ones close the connection with 1009. */
  maxMessageSize?: number | undefined;
}

/** The options of either kind of endpoint: what the shared compiler and the codec hooks read. */
export type EndpointOptions = ServerEndpointOptions | ClientEndpointOptions;

/** Options accepted by `@OnMessage`. */
export interface OnMessageOptions {
  /** Discriminator value of a JSON envelope this handler accepts (see the codecs guide). */
  type?: string | undefined;
  /** Largest message this handler accepts, in bytes. */
  maxMessageSize?: number | undefined;
  /**
   * The class of the object the handler returns (its reply), for documentation: the AsyncAPI generator
   * cannot see through `Promise<T>`. The contract's `reply` is used when this is absent.
   */
  reply?: (abstract new (...args: never[]) => object) | undefined;
}

/** One lifecycle method as recorded by a decorator. */
export interface HandlerRecord {
  readonly kind: LifecycleKind;
  readonly method: string | symbol;
  readonly options: Readonly<OnMessageOptions>;
}

/** Where a parameter's value comes from when a decorator says so explicitly. */
export type ParamSource =
  | { readonly from: "path"; readonly name: string }
  | { readonly from: "query"; readonly name: string }
  | { readonly from: "payload" }
  | { readonly from: "session" }
  | { readonly from: "close-reason" }
  | { readonly from: "error" }
  | { readonly from: "principal" };

/** A parameter decorator's record: which parameter, of which method, from where. */
export interface ParamRecord {
  readonly method: string | symbol;
  readonly index: number;
  readonly source: ParamSource;
  /** Declared type, when the decorator was given one explicitly (for compilers without metadata). */
  readonly type?: unknown;
}

/** Guards, interceptors and error filters declared on a class or a method (`@Guard`, `@Intercept`, `@ErrorFilters`). */
export interface PipelineRecord {
  readonly guards: readonly GuardLike[];
  readonly interceptors: readonly InterceptorLike[];
  readonly errorFilters: readonly ErrorFilterLike[];
}

const NO_PIPELINE: PipelineRecord = Object.freeze({ guards: Object.freeze([]), interceptors: Object.freeze([]), errorFilters: Object.freeze([]) });

const KEYS = {
  pipeline: Symbol.for("ws-endpoints:pipeline"),
  endpoint: Symbol.for("ws-endpoints:endpoint"),
  clientEndpoint: Symbol.for("ws-endpoints:client-endpoint"),
  handlers: Symbol.for("ws-endpoints:handlers"),
  params: Symbol.for("ws-endpoints:params"),
} as const;

/** Survives two copies of the package in one process (dual builds, linked installs). */
const REGISTRY_KEY = Symbol.for("ws-endpoints:registry");
type GlobalWithRegistry = typeof globalThis & { [REGISTRY_KEY]?: Set<EndpointClass> };

function registry(): Set<EndpointClass> {
  const g = globalThis as GlobalWithRegistry;
  return (g[REGISTRY_KEY] ??= new Set());
}

function reflect(): typeof Reflect & {
  defineMetadata(key: unknown, value: unknown, target: object, property?: string | symbol): void;
  getOwnMetadata(key: unknown, target: object, property?: string | symbol): unknown;
  getMetadata(key: unknown, target: object, property?: string | symbol): unknown;
} {
  const r = Reflect as unknown as { defineMetadata?: unknown };
  if (typeof r.defineMetadata !== "function") {
    throw new Error(
      "ws-endpoints: reflect-metadata is not loaded. Add `import \"reflect-metadata\";` as the first line " +
        "of your entry file (before any endpoint class is imported), and install it with `npm install reflect-metadata`.",
    );
  }
  return Reflect as never;
}

/** Records `@ServerEndpoint` options on the class and adds it to the discovery registry. */
export function writeEndpoint(target: EndpointClass, options: ServerEndpointOptions): void {
  reflect().defineMetadata(KEYS.endpoint, Object.freeze({ ...options }), target);
  registry().add(target);
}

/** Records `@ClientEndpoint` options. Client classes stay out of the discovery registry: bootstrap must not serve them. */
export function writeClientEndpoint(target: EndpointClass, options: ClientEndpointOptions): void {
  reflect().defineMetadata(KEYS.clientEndpoint, Object.freeze({ ...options }), target);
}

/** Records a lifecycle method. Kept as a list so duplicates can be reported at bootstrap. */
export function writeHandler(prototype: object, record: HandlerRecord): void {
  const ctor = (prototype as { constructor: EndpointClass }).constructor;
  const list = (reflect().getOwnMetadata(KEYS.handlers, ctor) as HandlerRecord[] | undefined) ?? [];
  reflect().defineMetadata(KEYS.handlers, [...list, Object.freeze(record)], ctor);
}

/** Records an explicit parameter source. */
export function writeParam(prototype: object, record: ParamRecord): void {
  const ctor = (prototype as { constructor: EndpointClass }).constructor;
  const list = (reflect().getOwnMetadata(KEYS.params, ctor) as ParamRecord[] | undefined) ?? [];
  reflect().defineMetadata(KEYS.params, [...list, Object.freeze(record)], ctor);
}

/**
 * Adds guards, interceptors or error filters to a class (`method` undefined) or to one method. Decorators
 * run bottom-up: the items are put before those already recorded, so they run in the order written.
 */
export function writePipeline(target: object, method: string | symbol | undefined, part: keyof PipelineRecord, items: readonly unknown[]): void {
  const r = reflect();
  const own = (method === undefined ? r.getOwnMetadata(KEYS.pipeline, target) : r.getOwnMetadata(KEYS.pipeline, target, method)) as PipelineRecord | undefined;
  const current = own ?? NO_PIPELINE;
  const next = Object.freeze({ ...current, [part]: Object.freeze([...items, ...current[part]]) });
  if (method === undefined) r.defineMetadata(KEYS.pipeline, next, target);
  else r.defineMetadata(KEYS.pipeline, next, target, method);
}

/**
 * The pipeline declared on a class (its own; a subclass without one inherits its parent's) or, with
 * `method`, on that method of its prototype chain.
 */
export function readPipeline(target: EndpointClass, method?: string | symbol): PipelineRecord {
  const r = reflect();
  const found = method === undefined ? r.getMetadata(KEYS.pipeline, target) : r.getMetadata(KEYS.pipeline, target.prototype, method);
  return (found as PipelineRecord | undefined) ?? NO_PIPELINE;
}

/** The `@ServerEndpoint` options of a class, or `undefined` when it has none. */
export function readEndpoint(target: EndpointClass): Readonly<ServerEndpointOptions> | undefined {
  return reflect().getOwnMetadata(KEYS.endpoint, target) as ServerEndpointOptions | undefined;
}

/** The `@ClientEndpoint` options of a class, or `undefined` when it has none. */
export function readClientEndpoint(target: EndpointClass): Readonly<ClientEndpointOptions> | undefined {
  return reflect().getOwnMetadata(KEYS.clientEndpoint, target) as ClientEndpointOptions | undefined;
}

/** Lifecycle methods of a class, own first, then inherited ones not overridden. */
export function readHandlers(target: EndpointClass): readonly HandlerRecord[] {
  const seen = new Set<string | symbol>();
  const out: HandlerRecord[] = [];
  for (let c: unknown = target; typeof c === "function" && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    const own = (reflect().getOwnMetadata(KEYS.handlers, c as object) as HandlerRecord[] | undefined) ?? [];
    for (const h of own) if (!seen.has(h.method)) out.push(h);
    for (const h of own) seen.add(h.method);
  }
  return out;
}

/** Explicit parameter records of a class (own and inherited). */
export function readParams(target: EndpointClass): readonly ParamRecord[] {
  const out: ParamRecord[] = [];
  for (let c: unknown = target; typeof c === "function" && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    out.push(...((reflect().getOwnMetadata(KEYS.params, c as object) as ParamRecord[] | undefined) ?? []));
  }
  return out;
}

/** Emitted parameter types of a method (`design:paramtypes`), or `undefined` when the compiler emitted none. */
export function readParamTypes(target: EndpointClass, method: string | symbol): readonly unknown[] | undefined {
  return reflect().getMetadata("design:paramtypes", target.prototype, method) as unknown[] | undefined;
}

/** Emitted return type of a method (`design:returntype`): `undefined` for `void` or when none was emitted. */
export function readReturnType(target: EndpointClass, method: string | symbol): unknown {
  return reflect().getMetadata("design:returntype", target.prototype, method);
}

/** Emitted constructor parameter types, or `undefined`. */
export function readConstructorParamTypes(target: EndpointClass): readonly unknown[] | undefined {
  return reflect().getMetadata("design:paramtypes", target) as unknown[] | undefined;
}

/** Every class decorated with `@ServerEndpoint` so far, in declaration order. */
export function registeredEndpoints(): readonly EndpointClass[] {
  return [...registry()];
}

/** Forgets discovered classes (tests). Metadata on the classes stays. */
export function clearEndpointRegistry(): void {
  registry().clear();
}

import type { EndpointClass } from "../../decorators/endpoint-class.js";
import type { Session } from "../session/session.js";

// The public types of guards, interceptors and error filters (and `errorFilter`, which imports nothing):
// decorators/ and the compiled model refer to them without depending on the code that runs them.

/** What a guard or an interceptor sees about the call it applies to. A new object per guarded call. */
export interface PipelineContext {
  readonly session: Session;
  /** The session's principal (what the configurator's `authenticate` returned), or `undefined`. */
  readonly principal: unknown;
  /** The endpoint class. */
  readonly endpoint: EndpointClass;
  /** `Class.method` of the handler. */
  readonly handler: string;
  /** `"open"` for `@OnOpen`, `"message"` for `@OnMessage`. */
  readonly event: "open" | "message";
  /** `@OnMessage({ type })` of the handler (the envelope's type), else `undefined`. */
  readonly messageType: string | undefined;
  /** The decoded payload (`undefined` for `@OnOpen`). */
  readonly payload: unknown;
}

/** A guard as a function: `true` allows, `false` refuses (a `ForbiddenError`); it may throw one itself. */
export type GuardFunction = (context: PipelineContext) => boolean | Promise<boolean>;

/** A guard as an object (or the instance of an injectable class). */
export interface GuardObject {
  canActivate(context: PipelineContext): boolean | Promise<boolean>;
}

/** A class whose instances are guards; resolved once through the server's container (tsyringe). */
export type GuardClass = new (...args: never[]) => GuardObject;

/** What `@Guard(...)` and `bootstrap({ guards })` accept. */
export type GuardLike = GuardFunction | GuardObject | GuardClass;

/**
 * Runs the rest of the chain (inner interceptors, then the handler) and returns its result: the value
 * the handler returned, or a promise of it. Call it at most once.
 */
export type CallNext = () => unknown;

/** An interceptor as a function: returns the reply (what `next()` gave, transformed, or its own). */
export type InterceptorFunction = (context: PipelineContext, next: CallNext) => unknown;

/** An interceptor as an object (or the instance of an injectable class). */
export interface InterceptorObject {
  intercept(context: PipelineContext, next: CallNext): unknown;
}

/** A class whose instances are interceptors; resolved once through the server's container. */
export type InterceptorClass = new (...args: never[]) => InterceptorObject;

/** What `@Intercept(...)` and `bootstrap({ interceptors })` accept. */
export type InterceptorLike = InterceptorFunction | InterceptorObject | InterceptorClass;

/** A class of errors a filter handles; its subclasses match too. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** What an error filter sees besides the error. */
export interface ErrorFilterContext {
  readonly session: Session;
  readonly endpoint: EndpointClass;
  /** `Class.method` that failed, or `undefined` for an error the framework raised outside a handler. */
  readonly handler: string | undefined;
}

/**
 * What an error filter decided: a `reply` sent to the peer (encoded like a handler's return value, with
 * the message's `id` when it had one) and/or a `close` code (1000–1003, 1007–1014 or 3000–4999) with an
 * optional `reason`. An empty object swallows the error.
 */
export interface ErrorFilterResult {
  readonly reply?: unknown;
  readonly close?: number;
  readonly reason?: string;
}

/** Maps errors of some classes to a reply or a close, before `@OnError` hears of them. */
export interface ErrorFilter {
  /** The error classes handled; the filter whose class is nearest the error's own wins. */
  readonly catches: readonly ErrorClass[];
  /** The decision, or `undefined` to pass the error on to `@OnError` (and the `onError` hook). Synchronous. */
  catch(error: Error, context: ErrorFilterContext): ErrorFilterResult | undefined;
}

/** A class whose instances are error filters; resolved once through the server's container. */
export type ErrorFilterClass = new (...args: never[]) => ErrorFilter;

/** What `@ErrorFilters(...)` and `bootstrap({ errorFilters })` accept. */
export type ErrorFilterLike = ErrorFilter | ErrorFilterClass;

/** What the app-wide `onError` hook receives with the error. */
export interface UnhandledErrorContext {
  /** The session, or `undefined` for an error outside any session (none today; reserved). */
  readonly session: Session | undefined;
  readonly endpoint: EndpointClass;
  /** `Class.method` that failed, or `undefined` for a framework error. */
  readonly handler: string | undefined;
}

/**
 * Told of every error no filter and no `@OnError` handled (the session then closes with 1011), and of
 * errors thrown by `@OnError` or `@OnClose` themselves: for logging and alerting. Its own failures are
 * logged.
 */
export type UnhandledErrorHook = (error: Error, context: UnhandledErrorContext) => void | Promise<void>;

/** How a refused message is answered: a `FORBIDDEN` error reply (default) or a 1008 close. */
export type GuardRefusal = "reply" | "close";

/**
 * Creates an error filter from error classes and a function.
 *
 * @example
 * ```ts
 * errorFilter([NotFound], (e) => ({ reply: { type: "error", code: "NOT_FOUND", message: e.message } }))
 * ```
 */
export function errorFilter<E extends Error>(
  catches: readonly (abstract new (...args: never[]) => E)[],
  map: (error: E, context: ErrorFilterContext) => ErrorFilterResult | undefined,
): ErrorFilter {
  return Object.freeze({ catches: Object.freeze([...catches]), catch: map as ErrorFilter["catch"] });
}

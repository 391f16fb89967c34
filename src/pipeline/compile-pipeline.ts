import type { LifecycleKind, PipelineRecord } from "../../decorators/metadata.js";
import { ARG_SHAPE, type InvocationContext } from "../endpoint/arguments.js";
import type { CompiledHandler, EndpointPipeline, EndpointSite, PipelineCall, PipelineHooks } from "../endpoint/compiled.js";
import { ForbiddenError, type DefinitionProblem } from "../errors.js";
import { SPAN_KIND, type OtelSpan, type Tracing } from "../metrics/tracing.js";
import { invoke } from "../runtime/invoke.js";
import type { WsSession } from "../session/ws-session.js";
import { isThenable } from "../util/thenable.js";
import { PipelineResolver, type GuardFn, type InterceptorFn } from "./resolve.js";
import type { ResolvedOptions } from "../server/options.js";
import type { PipelineContext } from "./types.js";

/** The application-wide part of the pipeline: the bootstrap options it reads. */
export type PipelineSettings = Pick<ResolvedOptions, "guards" | "interceptors" | "errorFilters" | "onError" | "guardRefusal" | "tracing" | "container">;

/**
 * The compiler's pipeline hooks (compiled.ts `PipelineHooks`): each handler is wrapped once, at bootstrap,
 * in a chain built for it alone: span (tracing) ▸ guards (global → class → method) ▸ interceptors (global
 * → class → method, outermost first) ▸ the handler. A handler nothing applies to is returned as it is, so
 * the dispatcher calls it exactly as without this feature.
 */
export function pipelineHooks(settings: PipelineSettings, problems: DefinitionProblem[]): PipelineHooks {
  const resolver = new PipelineResolver(settings.container);
  const globalGuards = resolver.guards(settings.guards, "bootstrap guards", problems);
  const globalInterceptors = resolver.interceptors(settings.interceptors, "bootstrap interceptors", problems);
  const globalFilters = resolver.filters(settings.errorFilters, "bootstrap errorFilters", problems);
  const guardsOf = (site: EndpointSite, declared: { endpoint: PipelineRecord; method: PipelineRecord }, where: string, p: DefinitionProblem[]): GuardFn[] => [
    ...globalGuards,
    ...resolver.guards(declared.endpoint.guards, site.name, p),
    ...resolver.guards(declared.method.guards, where, p),
  ];
  return {
    guardsOpen: (site, declared) => globalGuards.length + declared.endpoint.guards.length + declared.method.guards.length > 0,
    endpoint(site, declared, p): EndpointPipeline | null {
      const filters = resolver.filters(declared.errorFilters, site.name, p);
      if (filters.length + globalFilters.length === 0 && settings.onError === undefined && settings.guardRefusal === "reply") return null;
      return Object.freeze({ filters: Object.freeze(filters), global: globalFilters, guardRefusal: settings.guardRefusal, onError: settings.onError ?? null });
    },
    handler<H extends CompiledHandler>(h: H, site: EndpointSite, kind: LifecycleKind, messageType: string | undefined, declared: { endpoint: PipelineRecord; method: PipelineRecord }, closedSkips: boolean, p: DefinitionProblem[]): H {
      const guarded = kind === "open" || kind === "message";
      if (!guarded && (declared.method.guards.length > 0 || declared.method.interceptors.length > 0)) {
        p.push({ where: h.label, problem: "@Guard and @Intercept apply to @OnOpen and @OnMessage methods only.", fix: "move them to an @OnOpen or @OnMessage method, or to the class." });
      }
      const guards = guarded ? guardsOf(site, declared, h.label, p) : [];
      const interceptors = guarded
        ? [...globalInterceptors, ...resolver.interceptors(declared.endpoint.interceptors, site.name, p), ...resolver.interceptors(declared.method.interceptors, h.label, p)]
        : [];
      const spans = settings.tracing !== null && kind !== "error" ? new HandlerSpans(settings.tracing, site, h.label, kind, messageType) : null;
      if (guards.length === 0 && interceptors.length === 0 && spans === null && !closedSkips) return h;
      const chain = new Chain(h, site, kind === "open" ? "open" : "message", messageType, guards, interceptors, closedSkips);
      const call: PipelineCall = spans === null ? chain.call : (fn, inst, session, ctx, payload) => spans.run(session, ctx, () => chain.call(fn, inst, session, ctx, payload));
      return Object.freeze({ ...h, shape: ARG_SHAPE.PIPELINE, pipeline: call });
    },
  };
}

/** Guards and interceptors around one handler. */
class Chain {
  readonly call: PipelineCall;

  constructor(
    inner: CompiledHandler,
    site: EndpointSite,
    event: "open" | "message",
    messageType: string | undefined,
    guards: readonly GuardFn[],
    interceptors: readonly InterceptorFn[],
    closedSkips: boolean,
  ) {
    const endpoint = site.type;
    const label = inner.label;
    this.call = (fn, inst, session, ctx, payload) => {
      // A session whose @OnOpen guard refused is closing: what it sent meanwhile reaches no handler.
      if (closedSkips && !session.isOpen()) return undefined;
      const context: PipelineContext = { session, principal: session.getUserPrincipal(), endpoint, handler: label, event, messageType, payload };
      // Synchronous guards and no interceptor (the common case) allocate no closure.
      for (let i = 0; i < guards.length; i++) {
        const allowed = guards[i]!(context);
        if (isThenable(allowed)) return awaitGuard(allowed, guards, i + 1, context, () => run(interceptors, context, inner, fn, inst, session, ctx, payload));
        if (!allowed) throw refusal(context);
      }
      return run(interceptors, context, inner, fn, inst, session, ctx, payload);
    };
  }
}

/** The interceptors, if any, around the handler's call. */
function run(
  interceptors: readonly InterceptorFn[],
  context: PipelineContext,
  inner: CompiledHandler,
  fn: (...args: unknown[]) => unknown,
  inst: object,
  session: WsSession,
  ctx: InvocationContext,
  payload: unknown,
): unknown {
  if (interceptors.length === 0) return invoke(inner, fn, inst, session, ctx, payload);
  return intercept(interceptors, 0, context, () => invoke(inner, fn, inst, session, ctx, payload));
}

/** Runs guards from `i` in order, then `then`; a falsy answer refuses. Sync until a guard returns a promise. */
function guard(guards: readonly GuardFn[], i: number, context: PipelineContext, then: () => unknown): unknown {
  for (; i < guards.length; i++) {
    const allowed = guards[i]!(context);
    if (isThenable(allowed)) return awaitGuard(allowed, guards, i + 1, context, then);
    if (!allowed) throw refusal(context);
  }
  return then();
}

/** A guard answered with a promise: the next guards (from `next`) and `then` run once it allows. */
function awaitGuard(allowed: PromiseLike<unknown>, guards: readonly GuardFn[], next: number, context: PipelineContext, then: () => unknown): Promise<unknown> {
  return Promise.resolve(allowed).then((ok) => {
    if (!ok) throw refusal(context);
    return guard(guards, next, context, then);
  });
}

function refusal(context: PipelineContext): ForbiddenError {
  return new ForbiddenError(`${context.handler}: refused by a guard`, context.handler);
}

function intercept(list: readonly InterceptorFn[], i: number, context: PipelineContext, handler: () => unknown): unknown {
  if (i === list.length) return handler();
  return list[i]!(context, () => intercept(list, i + 1, context, handler));
}

/** One span per call of a handler: its endpoint, path, message type, session id and outcome. */
class HandlerSpans {
  private readonly attributes: Record<string, string>;
  private readonly kind: number;

  constructor(
    private readonly tracing: Tracing,
    site: EndpointSite,
    private readonly name: string,
    private readonly event: LifecycleKind,
    messageType: string | undefined,
  ) {
    this.attributes = { "ws.endpoint": site.name, "ws.event": event };
    if (site.path !== undefined) this.attributes["ws.path_template"] = site.path;
    if (messageType !== undefined) this.attributes["ws.message_type"] = messageType;
    this.kind = event === "message" ? SPAN_KIND.CONSUMER : SPAN_KIND.INTERNAL;
  }

  run(session: WsSession, ctx: InvocationContext, body: () => unknown): unknown {
    const t = this.tracing;
    const span = t.start(this.name, this.kind, { ...this.attributes, "ws.session_id": session.id });
    const close = this.event === "close" ? ctx.closeReason : undefined;
    if (close !== undefined) span.addEvent("ws.close", { "ws.close_code": close.getCloseCode(), "ws.close_reason": close.getReasonPhrase() });
    let result: unknown;
    try {
      result = t.within(span, body);
    } catch (error) {
      this.end(span, error);
      throw error;
    }
    if (!isThenable(result)) {
      this.end(span, undefined);
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        this.end(span, undefined);
        return value;
      },
      (error: unknown) => {
        this.end(span, error);
        throw error;
      },
    );
  }

  private end(span: OtelSpan, error: unknown): void {
    if (error === undefined) span.setAttribute("ws.outcome", "ok");
    else if (error instanceof ForbiddenError) {
      span.setAttribute("ws.outcome", "refused");
    } else {
      span.setAttribute("ws.outcome", "error");
      this.tracing.failed(span, error);
    }
    span.end();
  }
}


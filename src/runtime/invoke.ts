import { ARG_SHAPE, type ArgResolver, type InvocationContext } from "../endpoint/arguments.js";
import type { CompiledEndpointBase, CompiledHandler } from "../endpoint/compiled.js";
import type { WsSession } from "../session/ws-session.js";

// How a compiled handler is called: module functions over the compiled model, with no state of their
// own, so the per-message path allocates nothing here and the shapes can be tested on their own.

/** An endpoint instance as the dispatcher calls it: handler methods by name. */
export type HandlerInstance = Record<string | symbol, (...args: unknown[]) => unknown>;

/** The function to call for `h`: the compiled class's method, or the instance's own by name (`byName`). */
export function handlerOf(h: CompiledHandler, inst: HandlerInstance, byName: boolean): (...args: unknown[]) => unknown {
  return byName ? inst[h.method]! : h.fn;
}

/**
 * Calls `fn` on `inst` with `h`'s parameter list. A throw reaches the caller unwrapped; `ctx.payload`
 * holds `payload` only while resolvers read it.
 */
export function invoke(
  h: CompiledHandler,
  fn: (...args: unknown[]) => unknown,
  inst: object,
  session: WsSession,
  ctx: InvocationContext,
  payload: unknown,
): unknown {
  // The common parameter lists are passed directly: no resolver calls, no context writes.
  switch (h.shape) {
    case ARG_SHAPE.PAYLOAD_SESSION:
      return fn.call(inst, payload, session);
    case ARG_SHAPE.PAYLOAD:
      return fn.call(inst, payload);
    case ARG_SHAPE.SESSION_PAYLOAD:
      return fn.call(inst, session, payload);
    case ARG_SHAPE.SESSION:
      return fn.call(inst, session);
    case ARG_SHAPE.NONE:
      return fn.call(inst);
    default:
      // Guards, interceptors or a span: compiled at bootstrap around the handler (pipeline/), which
      // calls `invoke` again with the handler it wraps.
      return h.shape === ARG_SHAPE.PIPELINE ? h.pipeline!(fn, inst, session, ctx, payload) : resolveAndCall(fn, inst, h.args, ctx, payload);
  }
}

/** Any other parameter list: each argument from its resolver, reading `ctx`. */
export function resolveAndCall(
  fn: (...args: unknown[]) => unknown,
  inst: object,
  a: readonly ArgResolver[],
  ctx: InvocationContext,
  payload: unknown,
): unknown {
  ctx.payload = payload;
  try {
    switch (a.length) {
      case 1:
        return fn.call(inst, a[0]!(ctx));
      case 2:
        return fn.call(inst, a[0]!(ctx), a[1]!(ctx));
      default:
        return fn.apply(inst, a.map((r) => r(ctx)));
    }
  } finally {
    ctx.payload = undefined;
  }
}

/**
 * Whether `instance` runs the compiled class's own handler methods: its class is the endpoint class (not
 * a subclass a container provided) and no handler method is shadowed by an own property (a wrapper set in
 * the constructor). Then the dispatcher calls the compiled functions instead of looking each up by name.
 */
export function hasClassMethods(instance: object, endpoint: Pick<CompiledEndpointBase, "type" | "methods">): boolean {
  if (Object.getPrototypeOf(instance) !== endpoint.type.prototype) return false;
  for (const m of endpoint.methods) if (Object.hasOwn(instance, m)) return false;
  return true;
}

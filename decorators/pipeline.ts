import type { ErrorFilterLike, GuardLike, InterceptorLike } from "../src/pipeline/types.js";
import { writePipeline, type PipelineRecord } from "./metadata.js";
import { refuseStandardDecorator } from "./standard-decorators.js";

type ClassOrMethodDecorator = <T>(target: object, method?: string | symbol, descriptor?: TypedPropertyDescriptor<T>) => void;

function pipelineDecorator(name: string, part: keyof PipelineRecord, items: readonly unknown[], classOnly: boolean): ClassOrMethodDecorator {
  for (const [i, item] of items.entries()) {
    if (typeof item !== "function" && (typeof item !== "object" || item === null)) {
      throw new TypeError(`ws-endpoints: ${name} argument #${i + 1} is ${item === null ? "null" : typeof item}; pass functions, instances or injectable classes.`);
    }
  }
  return (target: object, method?: string | symbol): void => {
    refuseStandardDecorator(name, method);
    if (method === undefined) return writePipeline(target, undefined, part, items);
    if (classOnly) throw new TypeError(`ws-endpoints: ${name} belongs on an endpoint class, not on a method.`);
    writePipeline(target, method, part, items);
  };
}

/**
 * Guards the endpoint's `@OnOpen` and `@OnMessage` handlers (on the class) or one handler (on a method).
 * A guard is a function `(context) => boolean | Promise<boolean>`, an object with `canActivate(context)`,
 * or an injectable class with that method (resolved once through the server's container). Guards run in
 * order global → class → method; the first that returns `false` (or throws) refuses: see
 * docs/pipeline.md.
 *
 * @example
 * ```ts
 * @ServerEndpoint("/admin")
 * @Guard((c) => (c.principal as User | undefined)?.admin === true)
 * class AdminEndpoint {}
 * ```
 */
export function Guard(...guards: GuardLike[]): ClassOrMethodDecorator {
  return pipelineDecorator("@Guard()", "guards", guards, false);
}

/**
 * Wraps the endpoint's `@OnOpen` and `@OnMessage` handlers (on the class) or one handler (on a method)
 * in interceptors `(context, next) => result`: functions, objects with `intercept(context, next)`, or
 * injectable classes. Composition is global → class → method, outermost first; `next()` runs the rest of
 * the chain and the handler, and what an interceptor returns is the reply.
 */
export function Intercept(...interceptors: InterceptorLike[]): ClassOrMethodDecorator {
  return pipelineDecorator("@Intercept()", "interceptors", interceptors, false);
}

/**
 * Error filters of one endpoint, consulted before the bootstrap's `errorFilters` and before `@OnError`:
 * objects (or injectable classes) with `catches` (error classes, subclasses match) and `catch(error,
 * context)`, which maps the error to a reply and/or a close code. See docs/pipeline.md.
 */
export function ErrorFilters(...filters: ErrorFilterLike[]): ClassDecorator {
  return pipelineDecorator("@ErrorFilters()", "errorFilters", filters, true) as ClassDecorator;
}

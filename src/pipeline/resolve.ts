import type { DependencyContainer } from "tsyringe";
import type { DefinitionProblem } from "../errors.js";
import type { CompiledErrorFilter } from "../endpoint/compiled.js";
import type { ErrorFilter, ErrorFilterLike, GuardLike, InterceptorLike, PipelineContext, CallNext } from "./types.js";

// Turns what the user declared (functions, objects, injectable classes) into plain functions, once, at
// bootstrap; classes are resolved through the server's container a single time each.

/** A guard ready to call. */
export type GuardFn = (context: PipelineContext) => unknown;
/** An interceptor ready to call. */
export type InterceptorFn = (context: PipelineContext, next: CallNext) => unknown;

/** Resolves declared items; a class used in several places is resolved once. */
export class PipelineResolver {
  private readonly instances = new Map<Function, unknown>();

  constructor(private readonly container: DependencyContainer) {}

  guards(items: readonly GuardLike[], where: string, problems: DefinitionProblem[]): GuardFn[] {
    return this.each(items, "canActivate", "@Guard", where, problems) as GuardFn[];
  }

  interceptors(items: readonly InterceptorLike[], where: string, problems: DefinitionProblem[]): InterceptorFn[] {
    return this.each(items, "intercept", "@Intercept", where, problems) as InterceptorFn[];
  }

  filters(items: readonly ErrorFilterLike[], where: string, problems: DefinitionProblem[]): CompiledErrorFilter[] {
    const out: CompiledErrorFilter[] = [];
    for (const item of items) {
      const filter = (typeof item === "function" ? this.instance(item, "catch", where, problems) : item) as ErrorFilter | undefined;
      if (filter === undefined) continue;
      const catches = (filter as { catches?: unknown }).catches;
      if (typeof filter?.catch !== "function" || !Array.isArray(catches) || catches.length === 0 || catches.some((c) => typeof c !== "function")) {
        problems.push({
          where,
          problem: "an error filter needs catches (a non-empty array of error classes) and a catch(error, context) method.",
          fix: "e.g. errorFilter([NotFound], (e) => ({ reply: { type: \"error\", code: \"NOT_FOUND\" } })).",
        });
        continue;
      }
      out.push(Object.freeze({ catches: Object.freeze([...catches]), filter }));
    }
    return out;
  }

  /** Functions as they are, objects and class instances as their method bound to them. */
  private each(items: readonly unknown[], method: string, decorator: string, where: string, problems: DefinitionProblem[]): Function[] {
    const out: Function[] = [];
    for (const item of items) {
      if (typeof item === "function" && typeof (item.prototype as Record<string, unknown> | undefined)?.[method] !== "function") {
        out.push(item);
        continue;
      }
      const obj = typeof item === "function" ? this.instance(item, method, where, problems) : item;
      if (obj === undefined) continue;
      const fn = (obj as Record<string, unknown> | null)?.[method];
      if (typeof fn !== "function") {
        problems.push({ where, problem: `${decorator} got ${obj === null ? "null" : typeof obj}, which has no ${method} method.`, fix: `pass a function, an object with ${method}(), or a class with that method.` });
        continue;
      }
      out.push(fn.bind(obj));
    }
    return out;
  }

  private instance(type: Function, method: string, where: string, problems: DefinitionProblem[]): unknown {
    if (this.instances.has(type)) return this.instances.get(type);
    try {
      const inst = this.container.resolve(type as new () => unknown);
      this.instances.set(type, inst);
      return inst;
    } catch (error) {
      problems.push({
        where,
        problem: `${type.name || "a class"} (with ${method}()) could not be created through the container: ${(error as Error)?.message ?? String(error)}`,
        fix: "decorate it with @injectable() and register what its constructor needs, or pass an instance.",
      });
      return undefined;
    }
  }
}

/**
 * Guards, interceptors and error filters: per-message policy compiled into each handler's call chain at
 * bootstrap (docs/pipeline.md). Global ones are `bootstrap` options (`guards`, `interceptors`,
 * `errorFilters`, `onError`, `guardRefusal`); these decorators add an endpoint's or a method's own.
 *
 * @packageDocumentation
 */
export { Guard, Intercept, ErrorFilters } from "../../decorators/pipeline.js";
export { errorFilter } from "./types.js";
export type {
  PipelineContext,
  GuardFunction,
  GuardObject,
  GuardClass,
  GuardLike,
  CallNext,
  InterceptorFunction,
  InterceptorObject,
  InterceptorClass,
  InterceptorLike,
  ErrorClass,
  ErrorFilter,
  ErrorFilterClass,
  ErrorFilterLike,
  ErrorFilterContext,
  ErrorFilterResult,
  UnhandledErrorContext,
  UnhandledErrorHook,
  GuardRefusal,
} from "./types.js";
export { ForbiddenError } from "../errors.js";

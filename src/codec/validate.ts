import { validate, Validator, type ValidationError, type ValidatorOptions } from "class-validator";

/**
 * class-validator's `validate` with its exact semantics (async validators awaited, a plain validator that
 * happens to return a promise too), but synchronous when no validator returned a promise — the common
 * case. `validate` always pays for `Promise.all` and a continuation, and makes the session's queue wait
 * a microtask round trip for every DTO message; `validateSync` would be cheaper but silently skips async
 * validators. So this runs class-validator's own executor (what `validate` runs) and only awaits when
 * the executor collected promises. The executor is not part of class-validator's public API: when its
 * shape is not the one expected (another major version), this falls back to `validate`.
 */
export function validateNow(instance: object, options: ValidatorOptions | undefined): ValidationError[] | Promise<ValidationError[]> {
  if (Executor === null) return validate(instance, options);
  const executor = new Executor(VALIDATOR, options);
  const errors: ValidationError[] = [];
  executor.execute(instance, undefined, errors);
  if (executor.awaitingPromises.length === 0) return executor.stripEmptyErrors(errors);
  return Promise.all(executor.awaitingPromises).then(() => executor.stripEmptyErrors(errors));
}

interface ExecutorShape {
  awaitingPromises: Promise<unknown>[];
  execute(object: object, targetSchema: string | undefined, errors: ValidationError[]): void;
  stripEmptyErrors(errors: ValidationError[]): ValidationError[];
}
type ExecutorClass = new (validator: Validator, options: ValidatorOptions | undefined) => ExecutorShape;

const VALIDATOR = new Validator();
const Executor = loadExecutor();

function loadExecutor(): ExecutorClass | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- internal module, checked below
    const C = (require("class-validator/cjs/validation/ValidationExecutor") as { ValidationExecutor?: ExecutorClass }).ValidationExecutor;
    if (typeof C !== "function" || typeof C.prototype.execute !== "function" || typeof C.prototype.stripEmptyErrors !== "function") return null;
    return Array.isArray(new C(VALIDATOR, undefined).awaitingPromises) ? C : null;
  } catch {
    return null;
  }
}

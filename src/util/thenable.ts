/** A handler's or decoder's asynchronous result. */
export type Thenable = PromiseLike<unknown>;

/** Whether `v` is promise-like (any object or function with a `then` method, as `await` decides). */
export function isThenable<T = unknown>(v: unknown): v is PromiseLike<T> {
  return v !== null && (typeof v === "object" || typeof v === "function") && typeof (v as Thenable).then === "function";
}

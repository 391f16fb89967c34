/**
 * Finds what in a value JSON cannot represent: where `JSON.stringify` would silently write `{}` (a Map, a
 * Set, a class instance without enumerable fields or `toJSON`) or throws (a BigInt). Runs only after the
 * fast path has seen a `{}` or a throw, so ordinary objects never pay for it.
 */

/** Where a value JSON cannot represent was found, and what it is. */
export interface Unrepresentable {
  /** Path from the sent value, e.g. `value.users[2].roles`. */
  readonly path: string;
  /** e.g. `a Map`, `a BigInt`, `an instance of Session with no enumerable fields`. */
  readonly what: string;
}

/** The first part of `value` JSON cannot represent, in JSON.stringify's order, or `undefined`. */
export function findUnrepresentable(value: unknown): Unrepresentable | undefined {
  return walk(value, "value", new Set());
}

function walk(value: unknown, path: string, ancestors: Set<object>): Unrepresentable | undefined {
  if (typeof value === "bigint") return { path, what: "a BigInt" };
  if (value === null || typeof value !== "object") return undefined;
  // toJSON decides its own form (Date, Buffer, user DTOs); boxed primitives are written as primitives.
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return undefined;
  if (value instanceof String || value instanceof Number || value instanceof Boolean) return undefined;
  // A cycle: JSON.stringify reports it itself.
  if (ancestors.has(value)) return undefined;
  if (value instanceof Map) return { path, what: "a Map" };
  if (value instanceof Set) return { path, what: "a Set" };
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const found = walk(value[i], `${path}[${i}]`, ancestors);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    const keys = Object.keys(value);
    const proto = Object.getPrototypeOf(value) as object | null;
    if (keys.length === 0 && proto !== null && proto !== Object.prototype) {
      return { path, what: `an instance of ${className(proto)} with no enumerable fields` };
    }
    for (const key of keys) {
      const found = walk((value as Record<string, unknown>)[key], `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`, ancestors);
      if (found !== undefined) return found;
    }
    return undefined;
  } finally {
    ancestors.delete(value);
  }
}

function className(proto: object): string {
  const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === "string" && ctor.name !== "" ? ctor.name : "an anonymous class";
}

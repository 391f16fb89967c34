import { describe, expect, it } from "vitest";
import { ARG_SHAPE, type ArgResolver, type ArgShape, type InvocationContext } from "../../src/endpoint/arguments.js";
import type { CompiledHandler } from "../../src/endpoint/compiled.js";
import { handlerOf, hasClassMethods, invoke, resolveAndCall, type HandlerInstance } from "../../src/runtime/invoke.js";
import type { WsSession } from "../../src/session/ws-session.js";

// The argument-shape table on its own: a fake instance records what each shape passes.

const session = { id: "s1" } as unknown as WsSession;

function context(): InvocationContext {
  return { session, payload: undefined, closeReason: undefined, error: undefined };
}

function handler(shape: ArgShape, args: readonly ArgResolver[] = []): { h: CompiledHandler; calls: unknown[][]; self: unknown[] } {
  const calls: unknown[][] = [];
  const self: unknown[] = [];
  const fn = function (this: unknown, ...a: unknown[]): string {
    calls.push(a);
    self.push(this);
    return "result";
  };
  return { h: { label: "E.m", method: "m", fn, args, shape }, calls, self };
}

describe("invoke: the argument-shape switch", () => {
  it.each([
    ["PAYLOAD_SESSION", ARG_SHAPE.PAYLOAD_SESSION, ["p", session]],
    ["PAYLOAD", ARG_SHAPE.PAYLOAD, ["p"]],
    ["SESSION_PAYLOAD", ARG_SHAPE.SESSION_PAYLOAD, [session, "p"]],
    ["SESSION", ARG_SHAPE.SESSION, [session]],
    ["NONE", ARG_SHAPE.NONE, []],
  ] as const)("%s passes its arguments directly, on the instance, and returns the result", (_name, shape, expected) => {
    const { h, calls, self } = handler(shape);
    const inst = {};
    const ctx = context();
    expect(invoke(h, h.fn, inst, session, ctx, "p")).toBe("result");
    expect(calls).toEqual([expected]);
    expect(self[0]).toBe(inst);
    expect(ctx.payload).toBeUndefined();
  });

  it.each([1, 2, 3])("OTHER resolves %i arguments from the context, which holds the payload only during the call", (n) => {
    const seen: unknown[] = [];
    const resolvers: ArgResolver[] = Array.from({ length: n }, (_, i) => (ctx) => {
      seen.push(ctx.payload);
      return `${String(ctx.payload)}#${i}`;
    });
    const { h, calls } = handler(ARG_SHAPE.OTHER, resolvers);
    const ctx = context();
    expect(invoke(h, h.fn, {}, session, ctx, "p")).toBe("result");
    expect(calls).toEqual([Array.from({ length: n }, (_, i) => `p#${i}`)]);
    expect(seen).toEqual(Array(n).fill("p"));
    expect(ctx.payload).toBeUndefined();
  });

  it("a throw reaches the caller unwrapped, and the context is cleared", () => {
    const boom = new Error("boom");
    const ctx = context();
    const fn = (): never => {
      throw boom;
    };
    expect(() => resolveAndCall(fn, {}, [(c) => c.payload], ctx, "p")).toThrow(boom);
    expect(ctx.payload).toBeUndefined();
    const h: CompiledHandler = { label: "E.m", method: "m", fn, args: [], shape: ARG_SHAPE.PAYLOAD };
    expect(() => invoke(h, fn, {}, session, ctx, "p")).toThrow(boom);
  });
});

describe("which method is called", () => {
  class Endpoint {
    m(): string {
      return "class";
    }
  }
  const endpoint = { type: Endpoint, methods: ["m"] } as never;

  it("the compiled class's own methods are called directly", () => {
    expect(hasClassMethods(new Endpoint(), endpoint)).toBe(true);
    const { h } = handler(ARG_SHAPE.NONE);
    const inst = new Endpoint() as unknown as HandlerInstance;
    expect(handlerOf(h, inst, false)).toBe(h.fn);
  });

  it("a subclass instance, or one whose handler is shadowed by an own property, is called by name", () => {
    class Sub extends Endpoint {
      override m(): string {
        return "sub";
      }
    }
    expect(hasClassMethods(new Sub(), endpoint)).toBe(false);
    const shadowed = new Endpoint();
    shadowed.m = () => "own";
    expect(hasClassMethods(shadowed, endpoint)).toBe(false);
    const { h } = handler(ARG_SHAPE.NONE);
    const inst = shadowed as unknown as HandlerInstance;
    expect(handlerOf(h, inst, true)).toBe(inst.m);
  });
});

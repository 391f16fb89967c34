import { writeParam, type ParamSource } from "./metadata.js";

function param(source: ParamSource, type?: unknown): ParameterDecorator {
  return (prototype, method, index) => {
    if (method === undefined) {
      throw new TypeError(
        "ws-endpoints: parameter decorators belong on lifecycle method parameters, not on constructor parameters " +
          "(inject services through the constructor without a decorator).",
      );
    }
    writeParam(prototype, { method, index, source, type });
  };
}

/**
 * Binds a parameter to the value of a path template variable, converted to the parameter's declared type
 * (`string`, `number` or `boolean`).
 *
 * @example
 * ```ts
 * @OnOpen() open(session: Session, @PathParam("room") room: string) {}
 * ```
 */
export function PathParam(name: string): ParameterDecorator {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError("ws-endpoints: @PathParam needs the template variable name, e.g. @PathParam(\"room\").");
  }
  return param({ from: "path", name });
}

/** Binds a parameter to the first value of a query string parameter (`undefined` when absent). */
export function QueryParam(name: string): ParameterDecorator {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError("ws-endpoints: @QueryParam needs the parameter name, e.g. @QueryParam(\"token\").");
  }
  return param({ from: "query", name });
}

/**
 * Binds a parameter to the principal your configurator's `authenticate` returned at the handshake
 * (`undefined` for anonymous connections); the same value as `session.getUserPrincipal()`.
 *
 * @example
 * ```ts
 * @OnMessage() say(text: string, @Principal() user: User) { return `${user.name}: ${text}`; }
 * ```
 */
export function Principal(): ParameterDecorator {
  return param({ from: "principal" });
}

/**
 * Marks the message payload parameter explicitly. Pass the type when your compiler emits no decorator
 * metadata (esbuild, tsx, swc without `decoratorMetadata`).
 */
export function Payload(type?: unknown): ParameterDecorator {
  return param({ from: "payload" }, type);
}

/**
 * Marks the `Session` parameter explicitly, for compilers that emit no decorator metadata (tsx, esbuild,
 * swc without `decoratorMetadata`); with tsc the type alone is enough.
 */
export function SessionParam(): ParameterDecorator {
  return param({ from: "session" });
}

/** Marks the `CloseReason` parameter of an `@OnClose` method explicitly (compilers without decorator metadata). */
export function CloseReasonParam(): ParameterDecorator {
  return param({ from: "close-reason" });
}

/** Marks the `Error` parameter of an `@OnError` method explicitly (compilers without decorator metadata). */
export function ErrorParam(): ParameterDecorator {
  return param({ from: "error" });
}

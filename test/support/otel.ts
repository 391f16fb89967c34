import { AsyncLocalStorage } from "node:async_hooks";
import { context, propagation, ROOT_CONTEXT, trace, type Context, type ContextManager, type TextMapPropagator } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";

/**
 * OpenTelemetry for tests: the SDK's tracer provider with the in-memory exporter, an AsyncLocalStorage
 * context manager (what NodeSDK registers; the base SDK has none) and a W3C `traceparent` extractor,
 * all registered globally until `uninstall()`.
 */
export interface TestTracing {
  readonly exporter: InMemorySpanExporter;
  /** Finished spans so far. */
  spans(): ReadableSpan[];
  uninstall(): void;
}

class AlsContextManager implements ContextManager {
  private readonly als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.als.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.als.disable();
    return this;
  }
}

const traceparentOnly: TextMapPropagator = {
  inject: () => undefined,
  extract(ctx, carrier, getter) {
    const raw = getter.get(carrier, "traceparent");
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(Array.isArray(raw) ? (raw[0] ?? "") : (raw ?? ""));
    return m === null ? ctx : trace.setSpanContext(ctx, { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true });
  },
  fields: () => ["traceparent"],
};

export function installTestTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AlsContextManager());
  propagation.setGlobalPropagator(traceparentOnly);
  return {
    exporter,
    spans: () => exporter.getFinishedSpans(),
    uninstall() {
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

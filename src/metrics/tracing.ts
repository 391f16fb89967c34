import { requireOptionalPeer } from "../peers/optional-peer.js";

// OpenTelemetry, when `bootstrap({ tracing: true })` asks for it: the subset of `@opentelemetry/api` the
// framework calls, typed structurally here so that neither our sources nor our published typings need
// the package (it is an optional peer dependency, loaded on first use). Spans go to whatever
// TracerProvider the application registered; without one the API's no-op tracer costs little.

/** An OpenTelemetry `Context` (opaque here). */
export type OtelContext = object;

/** The part of a `Span` the framework uses. */
export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  addEvent(name: string, attributes?: Record<string, string | number | boolean>): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error): unknown;
  spanContext(): OtelSpanContext;
  end(): void;
}

/** A span's identity, as W3C trace context carries it. */
export interface OtelSpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote?: boolean;
}

interface OtelTracer {
  startSpan(name: string, options?: { kind?: number; attributes?: Record<string, string | number | boolean> }, context?: OtelContext): OtelSpan;
}

interface OtelApi {
  trace: {
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
    getSpanContext(context: OtelContext): OtelSpanContext | undefined;
    setSpanContext(context: OtelContext, spanContext: OtelSpanContext): OtelContext;
  };
  context: { active(): OtelContext; with<T>(context: OtelContext, fn: () => T): T };
  propagation: { extract(context: OtelContext, carrier: unknown): OtelContext };
  ROOT_CONTEXT: OtelContext;
}

/** Span kinds of the OpenTelemetry API (stable numbers). */
export const SPAN_KIND = { INTERNAL: 0, SERVER: 1, CONSUMER: 4 } as const;
const STATUS_ERROR = 2;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The framework's tracer: spans, the active context, and W3C `traceparent` in and out. */
export class Tracing {
  private readonly tracer: OtelTracer;

  constructor(private readonly api: OtelApi) {
    this.tracer = api.trace.getTracer("ws-endpoints");
  }

  /** Loads `@opentelemetry/api`. @throws MissingPeerDependencyError when it is not installed. */
  static load(): Tracing {
    return new Tracing(requireOptionalPeer<OtelApi>("@opentelemetry/api"));
  }

  /** Starts a span, a child of `parent` (default: the active context). */
  start(name: string, kind: number, attributes: Record<string, string | number | boolean>, parent?: OtelContext): OtelSpan {
    return this.tracer.startSpan(name, { kind, attributes }, parent ?? this.api.context.active());
  }

  /** Runs `fn` with `span` as the active span (broadcasts it makes carry its trace). */
  within<T>(span: OtelSpan, fn: () => T): T {
    const api = this.api;
    return api.context.with(api.trace.setSpan(api.context.active(), span), fn);
  }

  /** Marks `span` failed with `error`. */
  failed(span: OtelSpan, error: unknown): void {
    if (error instanceof Error) span.recordException(error);
    span.setStatus({ code: STATUS_ERROR, message: error instanceof Error ? error.message : String(error) });
  }

  /** The context of an incoming HTTP request's trace headers (through the registered propagator). */
  fromHeaders(headers: unknown): OtelContext {
    return this.api.propagation.extract(this.api.context.active(), headers);
  }

  /** The active span as a W3C `traceparent`, or `undefined` when no span is active. */
  traceParent(): string | undefined {
    const sc = this.api.trace.getSpanContext(this.api.context.active());
    if (sc === undefined || !/^[0-9a-f]{32}$/.test(sc.traceId) || /^0+$/.test(sc.traceId)) return undefined;
    return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
  }

  /** A context whose parent is the remote span `traceparent` names (`undefined` when malformed). */
  fromTraceParent(traceparent: string): OtelContext | undefined {
    const m = TRACEPARENT.exec(traceparent);
    if (m === null) return undefined;
    return this.api.trace.setSpanContext(this.api.ROOT_CONTEXT, { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true });
  }
}

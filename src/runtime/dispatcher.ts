import type { MessageKind } from "../codec/payload.js";
import { decodeText, decodeValidText } from "../session/text-decode.js";
import { tooBig } from "../endpoint/message-router.js";
import type { InvocationContext } from "../endpoint/arguments.js";
import type { CompiledEndpointBase, CompiledHandler, CompiledMessageHandler, MessageRouter, RoutedMessage } from "../endpoint/compiled.js";
import { HandlerTimeoutError, TransportError, UnsupportedMessageError } from "../errors.js";
import type { Logger } from "../metrics/logger.js";
import { DISCARDED_COUNTERS, now, type EndpointCounters, type MetricsRecorder } from "../metrics/metrics.js";
import { CloseCodes, CloseReason } from "../close-reason.js";
import type { WsSession } from "../session/ws-session.js";
import { inboundText } from "../session/inbound-text.js";
import type { TransportSink } from "../transport/transport.js";
import { admitByRate, invalidOnArrival, TEXT_CHECK, textCheckFor, type TextCheck } from "./admission.js";
import { routeCloseFailure, routeError, routeUndecodable, type ErrorHost } from "./error-routing.js";
import { deliverable, HandlerFailure } from "./handler-failure.js";
import { handlerOf, hasClassMethods, invoke, type HandlerInstance } from "./invoke.js";
import { JOB, JobQueue, type Job, type QueueEnv } from "./job-queue.js";
import { submitReply } from "./reply.js";
import { takeControlMessage } from "./control-messages.js";
import { isThenable } from "../util/thenable.js";

/** What a dispatcher needs from its owner (server or test harness). */
export interface DispatchEnv extends QueueEnv {
  readonly logger: Logger;
  /** Called once, after @OnClose ran: the session and instance may be forgotten. */
  released(session: WsSession): void;
  /** Where this session's traffic is counted (absent: counted nowhere). */
  readonly metrics?: MetricsRecorder;
}

/**
 * Runs a session's endpoint: transport events become jobs of its ordered queue (job-queue.ts), one at a
 * time in arrival order, so `@OnOpen` completes before the first message, and `@OnClose` runs once, last.
 * Here: admission (admission.ts), decoding and routing, the call (invoke.ts), the reply (reply.ts), async
 * continuations and the handler timeout, errors (error-routing.ts), close and release.
 * A handler that does not settle within `handlerTimeout` is abandoned (its late result ignored), reported
 * as a `HandlerTimeoutError`, and the queue moves on.
 */
export class SessionDispatcher extends JobQueue<DispatchEnv> implements TransportSink, ErrorHost {
  private closeQueued = false;
  /** Nothing more is read: the peer closed, or sent text that is not UTF-8. */
  private inputClosed = false;
  private readonly textCheck: TextCheck;
  /** The instance's handler methods are not the compiled class's (a subclass, or shadowed): call by name. */
  private readonly byName: boolean;
  /** @hidden ErrorHost: @OnClose has run. */
  finished = false;
  /** The close job has started: whatever of it times out still releases the session. */
  private closing = false;
  private instance: HandlerInstance | null;
  /** What argument resolvers read; created by the first handler call that needs it (T5: not per idle session). */
  private context: InvocationContext | null = null;
  private current: CompiledHandler | null = null;
  /** The handler whose promise holds the queue (for the timeout's message). */
  private running: CompiledHandler | null = null;
  /** Bumped when a wait is abandoned, so late continuations of the abandoned job do nothing. */
  private generation = 0;
  /** Correlation id of the envelope being handled, echoed in its reply. */
  private replyId: unknown = undefined;
  private readonly counters: EndpointCounters;
  /** Start of the running @OnMessage handler when latency is measured, else -1. */
  private started = -1;

  constructor(
    readonly endpoint: CompiledEndpointBase,
    instance: object,
    session: WsSession,
    env: DispatchEnv,
  ) {
    super(session, env);
    this.instance = instance as never;
    this.byName = !hasClassMethods(instance, endpoint);
    this.counters = env.metrics?.of(endpoint) ?? DISCARDED_COUNTERS;
    session.outbound.counters = this.counters;
    this.textCheck = textCheckFor(endpoint, session.transport);
  }

  private get ctx(): InvocationContext {
    return (this.context ??= { session: this.session, payload: undefined, closeReason: undefined, error: undefined });
  }

  /** @hidden The pending handler outlived `handlerTimeout`: report it and move the queue on. */
  timedOut(): void {
    if (this.armedAt === -1) return;
    this.armedAt = -1;
    this.generation++;
    this.bindWaiters();
    const h = this.running;
    this.running = null;
    this.current = null;
    const ep = this.endpoint;
    const error = new HandlerTimeoutError(h?.label ?? `${ep.name} (decoder)`, this.env.handlerTimeouts!.timeoutMs);
    if (h !== null && (h === ep.onClose || h === ep.onError)) {
      // Reporting these to @OnError could loop or come after close; log, and still release the session.
      this.env.logger.error({ err: error, session: this.session.id }, error.message);
      if (h === ep.onClose || this.closing) this.release();
      this.continue();
      return;
    }
    this.afterAsyncFailure(error);
  }

  /**
   * Queues @OnOpen; call once, right after binding the transport. An endpoint without one queues nothing:
   * the job would only cost a promise and a microtask per connection (T7).
   */
  start(): void {
    if (this.endpoint.onOpen !== null) this.push(JOB.OPEN, undefined, false);
  }

  onMessage(data: Buffer, isBinary: boolean): void {
    if (this.inputClosed) return;
    const c = this.counters;
    c.messagesIn++;
    c.bytesIn += data.length;
    const s = this.session;
    s.active = true;
    if (s.rateLimiter !== null && !admitByRate(s, this)) return;
    const liveness = this.endpoint.liveness;
    if (!isBinary && (s.requests !== null || liveness !== null) && takeControlMessage(s, liveness, data)) return;
    if (invalidOnArrival(this.textCheck, this.busy, data, isBinary)) {
      this.invalidText(false);
      return;
    }
    this.push(JOB.MESSAGE, data, isBinary);
  }

  onPong(data: Buffer): void {
    this.session.awaitingPong = false;
    if (this.inputClosed || this.endpoint.onPong === null) return;
    this.push(JOB.PONG, data, true);
  }

  onError(error: Error): void {
    if (this.closeQueued) return;
    this.push(JOB.ERROR, new TransportError(`The connection failed: ${error.message}`, error), false);
  }

  onClose(code: number, reason: string): void {
    if (this.closeQueued) return;
    this.closeQueued = true;
    this.inputClosed = true;
    const reported = this.session.reportedClose;
    this.counters.closed(reported === null ? code : reported.getCloseCode());
    this.session.markClosed(code);
    // Nothing queued or running and no @OnClose to run: released now, not a microtask later, and with no
    // CloseReason built that nothing would read (T7).
    if (!this.busy && this.endpoint.onClose === null) this.release();
    else this.push(JOB.CLOSE, reported ?? new CloseReason(code, reason), false);
  }

  protected afterAsync(value: unknown): void {
    this.armedAt = -1;
    this.running = null;
    if (this.started !== -1) this.stopClock();
    if (this.current !== null) {
      const done = this.current;
      this.current = null;
      if (done !== this.endpoint.onError && done !== this.endpoint.onClose) this.reply(value);
    }
    this.continue();
  }

  protected afterAsyncFailure(error: unknown): void {
    this.armedAt = -1;
    this.running = null;
    if (this.started !== -1) this.stopClock();
    const r = this.fail(error);
    if (isThenable(r)) this.wait(r);
    else this.continue();
  }

  protected run(kind: Job, item: unknown, flag: boolean): unknown {
    if (this.finished) return undefined;
    const ep = this.endpoint;
    switch (kind) {
      case JOB.OPEN:
        return ep.onOpen ? this.call(ep.onOpen, false) : undefined;
      case JOB.MESSAGE: {
        const r = flag ? ep.onBinary : ep.onText;
        if (r === null) {
          return this.fail(
            new UnsupportedMessageError(`${ep.name} does not accept ${flag ? "binary" : "text"} messages.`),
          );
        }
        return r.direct !== null ? this.message(r.direct, item as Buffer) : this.routed(r, item as Buffer);
      }
      case JOB.PONG:
        return this.message(ep.onPong!, item as Buffer);
      case JOB.ERROR:
        return this.fail(item);
      case JOB.CLOSE:
        return this.close(item as CloseReason);
    }
  }

  private message(h: CompiledMessageHandler, data: Buffer): unknown {
    this.replyId = undefined;
    if (h.maxMessageSize !== undefined && data.length > h.maxMessageSize) return this.rejected(tooBig(h, data.length, undefined, data), data, h.kind);
    if (h.decode === decodeText) return this.text(h, data);
    let payload: unknown;
    try {
      payload = h.decode(data);
    } catch (error) {
      return this.rejected(error, data, h.kind);
    }
    return this.decoded(h, payload, data, h.kind);
  }

  /** A `string` handler's message: checked while decoded (TEXT_CHECK), its bytes kept for sends of it. */
  private text(h: CompiledMessageHandler, data: Buffer): unknown {
    const text = this.textCheck === TEXT_CHECK.DONE ? decodeText(data) : decodeValidText(data);
    if (text === null) return this.invalidText(true);
    // Cleared by the catch of runNow/drain when the handler throws.
    const t = inboundText;
    t.text = text;
    t.bytes = data;
    const result = this.invokeMessage(h, text);
    t.text = undefined;
    t.bytes = undefined;
    return result;
  }

  /**
   * Text that is not UTF-8 fails the connection with 1007, as ws does when it checks: nothing read after
   * it is handled, and @OnError hears of it. `running`: found by the running job, which reports it.
   */
  private invalidText(running: boolean): unknown {
    this.inputClosed = true;
    this.session.closeWith(CloseCodes.NOT_CONSISTENT, "text message is not valid UTF-8");
    const error = new TransportError("The connection failed: a text message is not valid UTF-8 (RFC 6455 §8.1).");
    if (running) return this.fail(error);
    this.push(JOB.ERROR, error, false);
    return undefined;
  }

  /** Several handlers of one kind: the endpoint's compiled router chooses (typed envelopes, willDecode). */
  private routed(r: MessageRouter, data: Buffer): unknown {
    let m: RoutedMessage | null;
    try {
      m = r.route(data);
    } catch (error) {
      return this.rejected(error, data, r.kind);
    }
    if (m === null) return undefined;
    this.replyId = m.replyId;
    return this.decoded(m.handler, m.payload, data, r.kind);
  }

  /** The handler runs now, or when an async decoder settles (unless a handler timeout abandoned the job). */
  private decoded(h: CompiledMessageHandler, payload: unknown, data: Buffer, kind: MessageKind): unknown {
    if (!isThenable(payload)) return this.invokeMessage(h, payload);
    const generation = this.generation;
    return payload.then(
      (p) => (generation === this.generation ? this.invokeMessage(h, p) : undefined),
      (error) => (generation === this.generation ? this.rejected(error, data, kind) : undefined),
    );
  }

  /** An undecodable message: counted, then answered per the endpoint's policy (error-routing.ts). */
  private rejected(raw: unknown, data: Buffer, kind: MessageKind): unknown {
    this.counters.decodeErrors++;
    this.replyId = undefined;
    return routeUndecodable(this, raw, data, kind === "text");
  }

  private invokeMessage(h: CompiledMessageHandler, payload: unknown): unknown {
    const result = this.counters.latency === null ? this.call(h, true, payload) : this.timedCall(h, payload);
    if (isThenable(result)) return result;
    this.reply(result);
    return undefined;
  }

  /** Calls a handler; a returned promise makes the queue wait (and its value becomes the reply). */
  private call(h: CompiledHandler, replies: boolean, payload?: unknown): unknown {
    const inst = this.instance!;
    const fn = handlerOf(h, inst, this.byName);
    let result: unknown;
    try {
      result = invoke(h, fn, inst, this.session, this.ctx, payload);
    } catch (error) {
      // Unwrapped before @OnError sees it; the wrapper only remembers which handler failed.
      throw new HandlerFailure(h, error);
    }
    if (isThenable(result)) {
      this.current = replies ? h : null;
      this.running = h;
      // No state is touched here: after a timeout this rejection belongs to an abandoned job.
      return Promise.resolve(result).catch((error: unknown) => {
        throw new HandlerFailure(h, error);
      });
    }
    return result;
  }

  private reply(value: unknown): void {
    const replyId = this.replyId;
    this.replyId = undefined;
    if (value === undefined) return;
    if (!this.session.isOpen()) return void this.counters.outboundDropped++;
    let refused: Error | undefined;
    try {
      refused = submitReply(this.session, value, replyId, this.endpoint.replies.idField);
    } catch (error) {
      // An encoder failed: the handler's error, routed like one.
      this.fail(error);
      return;
    }
    if (refused) this.env.logger.debug({ err: refused, session: this.session.id }, "reply not sent");
  }

  /** @hidden ErrorHost: routes an error of the running job to @OnError or a close (error-routing.ts). */
  fail(raw: unknown): unknown {
    const failedIn = raw instanceof HandlerFailure ? raw.handler : null;
    const error = failedIn !== null ? deliverable(failedIn.label, (raw as HandlerFailure).thrown) : deliverable(this.endpoint.name, raw);
    this.current = null;
    const replyId = this.replyId;
    this.replyId = undefined;
    return routeError(this, error, failedIn, replyId);
  }

  /** @hidden ErrorHost */
  callOnError(error: Error): unknown {
    this.ctx.error = error;
    try {
      return this.call(this.endpoint.onError!, false);
    } finally {
      this.ctx.error = undefined;
    }
  }

  /** @hidden ErrorHost */
  get logger(): Logger {
    return this.env.logger;
  }

  private close(reason: CloseReason): unknown {
    const ep = this.endpoint;
    this.closing = true;
    let result: unknown;
    if (ep.onClose !== null) {
      this.ctx.closeReason = reason;
      try {
        result = this.call(ep.onClose, false);
      } catch (error) {
        result = routeCloseFailure(this, error);
      }
    }
    if (isThenable(result)) {
      return Promise.resolve(result)
        .catch((e: unknown) => routeCloseFailure(this, e))
        .then(() => this.release());
    }
    this.release();
    return undefined;
  }

  private release(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.inWheel) this.env.handlerTimeouts!.untrack(this);
    this.instance = null;
    if (this.context !== null) this.context.closeReason = undefined;
    this.gate?.release();
    this.env.released(this.session);
  }

  /** `call` with latency measured; an async handler's sample ends when its promise settles. */
  private timedCall(h: CompiledHandler, payload: unknown): unknown {
    this.started = now();
    let result: unknown;
    try {
      result = this.call(h, true, payload);
    } catch (error) {
      // A synchronous throw is not a latency sample; it is counted where errors are.
      this.started = -1;
      throw error;
    }
    if (!isThenable(result)) this.stopClock();
    return result;
  }

  private stopClock(): void {
    this.counters.observe(this.started);
    this.started = -1;
  }
}

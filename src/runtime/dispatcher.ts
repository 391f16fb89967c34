import { isUtf8 } from "node:buffer";
import { withCorrelationId } from "../codec/json.js";
import { decodeText, type MessageKind } from "../codec/payload.js";
import { tooBig } from "../endpoint/message-router.js";
import { ARG_SHAPE, type ArgResolver, type InvocationContext } from "../endpoint/arguments.js";
import type { CompiledEndpointBase, CompiledHandler, CompiledMessageHandler, MessageRouter, RoutedMessage } from "../endpoint/compiled.js";
import { HandlerTimeoutError, TransportError, UnsupportedMessageError } from "../errors.js";
import type { Logger } from "../metrics/logger.js";
import { DISCARDED_COUNTERS, now, type EndpointCounters, type MetricsRecorder } from "../metrics/metrics.js";
import { RATE } from "./rate-limit.js";
import { CloseCodes, CloseReason } from "../close-reason.js";
import type { EndpointSession } from "../session/endpoint-session.js";
import { inboundText, releaseInboundText } from "../session/inbound-text.js";
import { OUT } from "../session/outbound-queue.js";
import { toBuffer } from "../session/remotes.js";
import type { TransportSink } from "../transport/transport.js";
import { routeCloseFailure, routeError, routeUndecodable, type ErrorHost } from "./error-routing.js";
import { deliverable, HandlerFailure } from "./handler-failure.js";
import type { HandlerTimeoutWheel, TimedWait } from "./handler-timeout.js";
import { InboundGate, type InboundBounds } from "./inbound-gate.js";
import { isThenable, type Thenable } from "../util/thenable.js";

/** What a dispatcher needs from its owner (server or test harness). */
export interface DispatchEnv extends InboundBounds {
  readonly logger: Logger;
  /** Bounds async handlers (`handlerTimeout`); `null` when disabled. */
  readonly handlerTimeouts: HandlerTimeoutWheel | null;
  /** Called once, after @OnClose ran: the session and instance may be forgotten. */
  released(session: EndpointSession): void;
  /** Where this session's traffic is counted (absent: counted nowhere). */
  readonly metrics?: MetricsRecorder;
}

const JOB = { OPEN: 0, MESSAGE: 1, PONG: 2, ERROR: 3, CLOSE: 4 } as const;
type Job = (typeof JOB)[keyof typeof JOB];

/**
 * Where a text message is checked as UTF-8 (RFC 6455 §8.1). A `string` handler's message is checked
 * while it is decoded: text without U+FFFD after a replacing decode was valid, so only text containing
 * one is checked again. That costs a quarter of a separate check. A message that has to wait behind a
 * running handler is checked on arrival: an invalid one must stop everything read after it.
 */
const TEXT_CHECK = { DONE: 0, IN_DECODE: 1, ON_ARRIVAL: 2 } as const;
type TextCheck = (typeof TEXT_CHECK)[keyof typeof TEXT_CHECK];

// Scheduling a drain through a settled promise costs a third of `queueMicrotask`, which allocates an
// AsyncResource and a bound function per call in Node 20 (measured: ~0.25 µs against ~0.8 µs).
const RESOLVED = Promise.resolve();

/**
 * One ordered queue per session. Jobs (open, each message, errors, close) run one at a time in arrival
 * order: a message that finds the queue empty and idle runs at once (`runNow`), otherwise jobs wait and
 * a batch is drained in one microtask; a job that returns a promise holds the queue until it settles.
 * `@OnOpen` therefore completes before the first message, and `@OnClose` runs once, last.
 * A handler that does not settle within `handlerTimeout` is abandoned (its late result ignored), reported
 * as a `HandlerTimeoutError`, and the queue moves on.
 */
export class SessionDispatcher implements TransportSink, TimedWait, ErrorHost {
  private kinds: Job[] = [];
  private items: unknown[] = [];
  private flags: boolean[] = [];
  private head = 0;
  private tail = 0;
  private busy = false;
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
  /** Byte bounds and pause reasons, from the first message that had to wait (inbound-gate.ts). */
  private gate: InboundGate | null = null;
  private instance: Record<string | symbol, (...args: unknown[]) => unknown> | null;
  private readonly ctx: InvocationContext;
  private readonly drainBound: () => void;
  private outboundRoomBound: (() => void) | null = null;
  // Continuations of async handlers, created the first time a handler returns a promise and recreated
  // after a handler timeout (the abandoned pair turns inert).
  private resumeBound: ((v: unknown) => void) | null = null;
  private failBound: ((e: unknown) => void) | null = null;
  private current: CompiledHandler | null = null;
  /** The handler whose promise holds the queue (for the timeout's message). */
  private running: CompiledHandler | null = null;
  /** Bumped when a wait is abandoned, so late continuations of the abandoned job do nothing. */
  private generation = 0;
  /** @hidden TimedWait */
  armedAt = -1;
  /** @hidden TimedWait */
  inWheel = false;
  /** Correlation id of the envelope being handled, echoed in its reply. */
  private replyId: unknown = undefined;
  private idleWaiters: Array<() => void> | null = null;
  private readonly counters: EndpointCounters;
  /** Start of the running @OnMessage handler when latency is measured, else -1. */
  private started = -1;

  constructor(
    readonly endpoint: CompiledEndpointBase,
    instance: object,
    readonly session: EndpointSession,
    private readonly env: DispatchEnv,
  ) {
    this.instance = instance as never;
    this.byName = !hasClassMethods(instance, endpoint);
    this.ctx = { session, payload: undefined, closeReason: undefined, error: undefined };
    // A bound method, not an arrow function: no context object per session (T5: idle memory).
    this.drainBound = this.drain.bind(this);
    this.counters = env.metrics?.of(endpoint) ?? DISCARDED_COUNTERS;
    session.outbound.counters = this.counters;
    this.textCheck = session.transport.textChecked
      ? TEXT_CHECK.DONE
      : endpoint.onText?.direct?.decode === decodeText
        ? TEXT_CHECK.IN_DECODE
        : TEXT_CHECK.ON_ARRIVAL;
  }

  /**
   * (Re)creates the continuations handed to a pending handler's promise. After a timeout the old pair
   * becomes inert: each checks that it is still the current one, which costs nothing per message.
   */
  private bindWaiters(): void {
    const resume = (v: unknown): void => {
      if (this.resumeBound === resume) this.afterAsync(v);
    };
    const fail = (e: unknown): void => {
      if (this.failBound === fail) this.afterAsyncFailure(e);
    };
    this.resumeBound = resume;
    this.failBound = fail;
  }

  private wait(result: Thenable): void {
    // Continuations are created the first time a handler returns a promise (most sessions never do).
    if (this.resumeBound === null) this.bindWaiters();
    result.then(this.resumeBound!, this.failBound!);
    const wheel = this.env.handlerTimeouts;
    if (wheel === null) return;
    this.armedAt = wheel.tick;
    if (!this.inWheel) wheel.track(this);
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

  /** Queues @OnOpen; call once, right after binding the transport. */
  start(): void {
    this.push(JOB.OPEN, undefined, false);
  }

  onMessage(data: Buffer, isBinary: boolean): void {
    if (this.inputClosed) return;
    const c = this.counters;
    c.messagesIn++;
    c.bytesIn += data.length;
    const s = this.session;
    s.active = true;
    if (s.rateLimiter !== null) {
      const verdict = s.rateLimiter.admit(s);
      if (verdict !== RATE.ADMIT) {
        // Messages admitted before the limit was hit are handled (and answered) before the close frame.
        if (verdict === RATE.CLOSE) void this.whenIdle().then(() => s.closeWith(CloseCodes.VIOLATED_POLICY, "rate limit exceeded"));
        return;
      }
    }
    if (!isBinary && this.textCheck !== TEXT_CHECK.DONE && (this.busy || this.textCheck === TEXT_CHECK.ON_ARRIVAL) && !isUtf8(data)) {
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
    const close = this.session.reportedClose ?? new CloseReason(code, reason);
    this.counters.closed(close.getCloseCode());
    this.session.markClosed();
    this.push(JOB.CLOSE, close, false);
  }

  /** Jobs waiting to run (excluding the one running). */
  get depth(): number {
    return this.tail - this.head;
  }

  private push(kind: Job, item: unknown, flag: boolean): void {
    // A full outbound queue holds messages back (drain stops before them) until the peer reads.
    if (!this.busy && kind === JOB.MESSAGE && !this.session.outbound.full) return this.runNow(item as Buffer, flag);
    const t = this.tail++;
    this.kinds[t] = kind;
    this.items[t] = item;
    this.flags[t] = flag;
    if (kind === JOB.MESSAGE || kind === JOB.PONG) (this.gate ??= new InboundGate(this.session.transport, this.env)).queued((item as Buffer).length, this.tail - this.head);
    if (!this.busy) {
      this.busy = true;
      void RESOLVED.then(this.drainBound);
    }
  }

  /** The outbound queue is full when a message is due: flush this batch; still full, wait for room. True: stopped. */
  private heldByOutbound(): boolean {
    const out = this.session.outbound;
    out.endBatch();
    if (this.gate!.holdForOutbound(out, (this.outboundRoomBound ??= this.outboundRoom.bind(this)))) {
      // Nothing more happens until the peer reads: whoever waits for idle (harness, rate-limit close) goes on.
      if (this.idleWaiters !== null) this.wakeIdleWaiters();
      return true;
    }
    out.beginBatch();
    return false;
  }

  /** Called from the outbound queue's flush: the drain goes on a microtask later, outside it. */
  private outboundRoom(): void {
    this.gate!.outboundRoom();
    void RESOLVED.then(this.drainBound);
  }

  /**
   * Nothing queued and nothing running: the message is handled at once, as its own batch, instead of a
   * microtask later (what it saves is the scheduling, not any ordering: the queue is empty).
   */
  private runNow(data: Buffer, isBinary: boolean): void {
    this.busy = true;
    const out = this.session.outbound;
    out.beginBatch();
    let result: unknown;
    try {
      result = this.run(JOB.MESSAGE, data, isBinary);
    } catch (error) {
      releaseInboundText();
      result = this.fail(error);
    }
    out.endBatch();
    if (isThenable(result)) return this.wait(result);
    this.busy = false;
    if (this.idleWaiters !== null) this.wakeIdleWaiters();
  }

  private drain(): void {
    // Sends made by the handlers of this batch are written when it ends, in one corked write.
    const out = this.session.outbound;
    out.beginBatch();
    while (this.head < this.tail) {
      const i = this.head;
      const kind = this.kinds[i]!;
      if (kind === JOB.MESSAGE && out.full && this.heldByOutbound()) return;
      this.head = i + 1;
      const item = this.items[i];
      const flag = this.flags[i]!;
      this.items[i] = undefined;
      if (kind === JOB.MESSAGE || kind === JOB.PONG) this.gate!.dequeued((item as Buffer).length);
      let result: unknown;
      try {
        result = this.run(kind, item, flag);
      } catch (error) {
        releaseInboundText();
        result = this.fail(error);
      }
      if (isThenable(result)) {
        out.endBatch();
        this.wait(result);
        return;
      }
    }
    // Emptied, not kept: an idle session holding three grown arrays costs ~0.4 KB (T5), and since
    // messages reaching an idle queue skip it (runNow), only bursts behind a busy handler use them.
    this.kinds.length = 0;
    this.items.length = 0;
    this.flags.length = 0;
    this.head = 0;
    this.tail = 0;
    this.busy = false;
    out.endBatch();
    if (this.gate !== null) this.gate.drained();
    if (this.idleWaiters !== null) this.wakeIdleWaiters();
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters!;
    this.idleWaiters = null;
    for (const w of waiters) w();
  }

  /** Resolves when every queued job has run, or nothing runs until the peer reads (tests, the harness, the rate limit's close). */
  whenIdle(): Promise<void> {
    if (!this.busy || (this.gate !== null && this.gate.waitingForRoom)) return Promise.resolve();
    return new Promise((resolve) => (this.idleWaiters ??= []).push(resolve));
  }

  private afterAsync(value: unknown): void {
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

  private afterAsyncFailure(error: unknown): void {
    this.armedAt = -1;
    this.running = null;
    if (this.started !== -1) this.stopClock();
    const r = this.fail(error);
    if (isThenable(r)) this.wait(r);
    else this.continue();
  }

  /** Holds the queue until an async handler settles. */
  private continue(): void {
    if (this.gate !== null) this.gate.progressed(this.depth);
    this.drain();
  }

  private run(kind: Job, item: unknown, flag: boolean): unknown {
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
    if (isThenable(payload)) {
      const generation = this.generation;
      return payload.then(
        (p) => (generation === this.generation ? this.invokeMessage(h, p) : undefined),
        (error) => (generation === this.generation ? this.rejected(error, data, h.kind) : undefined),
      );
    }
    return this.invokeMessage(h, payload);
  }

  /** A `string` handler's message: checked while decoded (TEXT_CHECK), its bytes kept for sends of it. */
  private text(h: CompiledMessageHandler, data: Buffer): unknown {
    const text = decodeText(data);
    if (this.textCheck !== TEXT_CHECK.DONE && text.indexOf("\uFFFD") !== -1 && !isUtf8(data)) return this.invalidText(true);
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
    let m: RoutedMessage;
    try {
      m = r.route(data);
    } catch (error) {
      return this.rejected(error, data, r.kind);
    }
    this.replyId = m.replyId;
    const payload = m.payload;
    if (isThenable(payload)) {
      const generation = this.generation;
      return payload.then(
        (p) => (generation === this.generation ? this.invokeMessage(m.handler, p) : undefined),
        (error) => (generation === this.generation ? this.rejected(error, data, r.kind) : undefined),
      );
    }
    return this.invokeMessage(m.handler, payload);
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
    const fn = this.byName ? inst[h.method]! : h.fn;
    let result: unknown;
    try {
      // The common parameter lists are passed directly: no resolver calls, no context writes.
      switch (h.shape) {
        case ARG_SHAPE.PAYLOAD_SESSION:
          result = fn.call(inst, payload, this.session);
          break;
        case ARG_SHAPE.PAYLOAD:
          result = fn.call(inst, payload);
          break;
        case ARG_SHAPE.SESSION_PAYLOAD:
          result = fn.call(inst, this.session, payload);
          break;
        case ARG_SHAPE.SESSION:
          result = fn.call(inst, this.session);
          break;
        case ARG_SHAPE.NONE:
          result = fn.call(inst);
          break;
        default:
          result = this.resolveAndCall(fn, inst, h.args, payload);
      }
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

  private resolveAndCall(fn: (...args: unknown[]) => unknown, inst: object, a: readonly ArgResolver[], payload: unknown): unknown {
    const ctx = this.ctx;
    ctx.payload = payload;
    try {
      switch (a.length) {
        case 1:
          return fn.call(inst, a[0]!(ctx));
        case 2:
          return fn.call(inst, a[0]!(ctx), a[1]!(ctx));
        default:
          return fn.apply(inst, a.map((r) => r(ctx)));
      }
    } finally {
      ctx.payload = undefined;
    }
  }

  private reply(value: unknown): void {
    const replyId = this.replyId;
    this.replyId = undefined;
    if (value === undefined) return;
    if (!this.session.isOpen()) return void this.counters.outboundDropped++;
    // Sent as awaited: a full queue takes it (policy "await", within its allowance) and holds the next message.
    let refused: Error | undefined;
    if (typeof value === "string") refused = this.session.submit(OUT.TEXT, value, true, undefined, undefined, false, true);
    else {
      const bin = value instanceof ArrayBuffer || ArrayBuffer.isView(value) ? toBuffer(value as Buffer) : undefined;
      if (bin !== undefined) refused = this.session.submit(OUT.BINARY, bin, true, undefined, undefined, false, true);
      else {
        try {
          const enc = replyId === undefined ? this.session.encode(value) : withCorrelationId(this.session.encode(value), this.endpoint.replies.idField!, replyId);
          refused = this.session.submit(enc.binary ? OUT.BINARY : OUT.TEXT, enc.data, true, undefined, undefined, false, true);
        } catch (error) {
          this.fail(error);
          return;
        }
      }
    }
    if (refused) this.env.logger.debug({ err: refused, session: this.session.id }, "reply not sent");
  }

  /** @hidden ErrorHost: routes an error of the running job to @OnError or a close (error-routing.ts). */
  fail(raw: unknown): unknown {
    const failedIn = raw instanceof HandlerFailure ? raw.handler : null;
    const error = failedIn !== null ? deliverable(failedIn.label, (raw as HandlerFailure).thrown) : deliverable(this.endpoint.name, raw);
    this.current = null;
    this.replyId = undefined;
    return routeError(this, error, failedIn);
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
    this.ctx.closeReason = reason;
    this.closing = true;
    let result: unknown;
    if (ep.onClose !== null) {
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
    this.ctx.closeReason = undefined;
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

/**
 * Whether `instance` runs the compiled class's own handler methods: its class is the endpoint class (not
 * a subclass a container provided) and no handler method is shadowed by an own property (a wrapper set in
 * the constructor). Then the dispatcher calls the compiled functions instead of looking each up by name.
 */
function hasClassMethods(instance: object, endpoint: CompiledEndpointBase): boolean {
  if (Object.getPrototypeOf(instance) !== endpoint.type.prototype) return false;
  for (const m of endpoint.methods) if (Object.hasOwn(instance, m)) return false;
  return true;
}

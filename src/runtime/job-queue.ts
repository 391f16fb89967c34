import type { WsSession } from "../session/ws-session.js";
import { releaseInboundText } from "../session/inbound-text.js";
import type { HandlerTimeoutWheel, TimedWait } from "./handler-timeout.js";
import { InboundGate, type InboundBounds } from "./inbound-gate.js";
import { isThenable, type Thenable } from "../util/thenable.js";

/** What the queue needs from its owner: inbound byte bounds, and the wheel that bounds async jobs. */
export interface QueueEnv extends InboundBounds {
  /** Bounds async handlers (`handlerTimeout`); `null` when disabled. */
  readonly handlerTimeouts: HandlerTimeoutWheel | null;
}

/** What a job of a session's queue is. */
export const JOB = { OPEN: 0, MESSAGE: 1, PONG: 2, ERROR: 3, CLOSE: 4 } as const;
export type Job = (typeof JOB)[keyof typeof JOB];

// Scheduling a drain through a settled promise costs a third of `queueMicrotask`, which allocates an
// AsyncResource and a bound function per call in Node 20 (measured: ~0.25 µs against ~0.8 µs).
const RESOLVED = Promise.resolve();
// Shared by every queue while it holds no job, never written: an idle session keeps no arrays of its
// own (T5: 96 bytes a session), and an endpoint without @OnOpen whose messages all find the queue idle
// (runNow) never allocates them.
const NO_KINDS: Job[] = [];
const NO_ITEMS: unknown[] = [];
const NO_FLAGS: boolean[] = [];

/**
 * The ordering core of a session's dispatcher: one queue per session. Jobs (open, each message, errors,
 * close) run one at a time in arrival order: a message that finds the queue empty and idle runs at once
 * (`runNow`), otherwise jobs wait and a batch is drained in one microtask; a job that returns a promise
 * holds the queue until it settles (or times out) and the subclass calls `continue()`. What a job does,
 * and what follows when its promise settles, is the subclass's: dispatcher.ts. The ring of three parallel
 * arrays stays inline here (measured, see `drain`).
 */
export abstract class JobQueue<E extends QueueEnv> implements TimedWait {
  private kinds: Job[] = NO_KINDS;
  private items: unknown[] = NO_ITEMS;
  private flags: boolean[] = NO_FLAGS;
  private head = 0;
  private tail = 0;
  /** A job is running, or a drain is scheduled. */
  protected busy = false;
  /** Byte bounds and pause reasons, from the first message that had to wait (inbound-gate.ts). */
  protected gate: InboundGate | null = null;
  /** `drain` bound, on the first queued job (T5: not one per idle session); a bound method, not an arrow function, so no context object. */
  private drainBound: (() => void) | null = null;
  private outboundRoomBound: (() => void) | null = null;
  private idleWaiters: Array<() => void> | null = null;
  // Continuations of async handlers, created the first time a handler returns a promise and recreated
  // after a handler timeout (the abandoned pair turns inert).
  private resumeBound: ((v: unknown) => void) | null = null;
  private failBound: ((e: unknown) => void) | null = null;
  /** @hidden TimedWait */
  armedAt = -1;
  /** @hidden TimedWait */
  inWheel = false;

  constructor(
    readonly session: WsSession,
    protected readonly env: E,
  ) {}

  /** Runs one job; a returned promise holds the queue (`wait`). */
  protected abstract run(kind: Job, item: unknown, flag: boolean): unknown;
  /** Routes an error the running job threw; may return a promise, as `run` does. */
  abstract fail(raw: unknown): unknown;
  /** The job's promise resolved with `value`. */
  protected abstract afterAsync(value: unknown): void;
  /** The job's promise rejected (or it timed out) with `error`. */
  protected abstract afterAsyncFailure(error: unknown): void;
  /** @hidden TimedWait: the pending job outlived `handlerTimeout`. */
  abstract timedOut(): void;

  /** Jobs waiting to run (excluding the one running). */
  get depth(): number {
    return this.tail - this.head;
  }

  protected push(kind: Job, item: unknown, flag: boolean): void {
    // A full outbound queue holds messages back (drain stops before them) until the peer reads.
    if (!this.busy && kind === JOB.MESSAGE && !this.session.outbound.full) return this.runNow(item as Buffer, flag);
    const t = this.tail++;
    if (this.kinds === NO_KINDS) {
      this.kinds = [];
      this.items = [];
      this.flags = [];
    }
    this.kinds[t] = kind;
    this.items[t] = item;
    this.flags[t] = flag;
    if (kind === JOB.MESSAGE || kind === JOB.PONG) (this.gate ??= new InboundGate(this.session.transport, this.env)).queued((item as Buffer).length, this.tail - this.head);
    if (!this.busy) {
      this.busy = true;
      void RESOLVED.then((this.drainBound ??= this.drain.bind(this)));
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
    void RESOLVED.then((this.drainBound ??= this.drain.bind(this)));
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
    // Given back, not kept: an idle session holding three grown arrays costs ~0.4 KB (T5), and since
    // messages reaching an idle queue skip it (runNow), only bursts behind a busy handler use them.
    this.kinds = NO_KINDS;
    this.items = NO_ITEMS;
    this.flags = NO_FLAGS;
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

  /**
   * (Re)creates the continuations handed to a pending handler's promise. After a timeout the old pair
   * becomes inert: each checks that it is still the current one, which costs nothing per message.
   */
  protected bindWaiters(): void {
    const resume = (v: unknown): void => {
      if (this.resumeBound === resume) this.afterAsync(v);
    };
    const fail = (e: unknown): void => {
      if (this.failBound === fail) this.afterAsyncFailure(e);
    };
    this.resumeBound = resume;
    this.failBound = fail;
  }

  /** The running job returned a promise: the queue waits for it, within `handlerTimeout`. */
  protected wait(result: Thenable): void {
    // Continuations are created the first time a handler returns a promise (most sessions never do).
    if (this.resumeBound === null) this.bindWaiters();
    result.then(this.resumeBound!, this.failBound!);
    const wheel = this.env.handlerTimeouts;
    if (wheel === null) return;
    this.armedAt = wheel.tick;
    if (!this.inWheel) wheel.track(this);
  }

  /** The job that held the queue settled: the queue goes on with the next one. */
  protected continue(): void {
    if (this.gate !== null) this.gate.progressed(this.depth);
    this.drain();
  }
}

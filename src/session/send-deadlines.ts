import { SendTimeoutError } from "../errors.js";
import type { WriteCallback } from "../transport/transport.js";

/** What a deadline watches: a queued send whose caller waits for it (a Basic send, a reply). */
export interface TimedSend {
  /** The caller's completion; replaced by `track` with one that settles once. */
  done: WriteCallback | undefined;
  /** Monotonic ms after which the send fails; 0 when untimed or settled. */
  deadline: number;
}

/** The queue that holds the timed sends. */
export interface DeadlineHost<E extends TimedSend> {
  /** `e` timed out: take it out of the queue if it is still queued, before its caller hears. */
  expireEntry(e: E): void;
  /** An expiry pass ended: the queue may be below its bounds again. */
  expired(): void;
}

/**
 * Basic sends fail after `sendTimeout`; one timer per queue, armed only while such sends are pending.
 * A queue creates its `SendDeadlines` on its first timed send: most sessions never time one (T5, idle
 * memory; the T-codes are defined in docs/performance.md).
 */
export class SendDeadlines<E extends TimedSend> {
  private timed: E[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;
  private timeoutMs = 0;
  private readonly expireBound = (): void => this.expire();

  constructor(private readonly host: DeadlineHost<E>) {}

  /** Times `e`, whose caller `done` must hear once: from its write, or with a `SendTimeoutError`. */
  track(e: E, done: WriteCallback, timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
    e.deadline = performance.now() + timeoutMs;
    let settled = false;
    e.done = (error) => {
      if (settled) return;
      settled = true;
      e.deadline = 0;
      done(error);
    };
    this.timed.push(e);
    if (this.timer === null) {
      this.timer = setTimeout(this.expireBound, timeoutMs);
      this.timer.unref();
    }
  }

  /** Forgets every timed send (the queue failed them): the timer must not keep a closed session reachable. */
  stop(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.timed.length = 0;
    this.head = 0;
  }

  private expire(): void {
    this.timer = null;
    const now = performance.now();
    const timed = this.timed;
    while (this.head < timed.length) {
      const e = timed[this.head]!;
      if (e.deadline !== 0 && e.deadline > now + 1) {
        this.timer = setTimeout(this.expireBound, e.deadline - now);
        this.timer.unref();
        break;
      }
      timed[this.head++] = undefined as never;
      if (e.deadline === 0) continue;
      this.host.expireEntry(e);
      e.done!(new SendTimeoutError(this.timeoutMs));
    }
    this.host.expired();
    if (this.head === timed.length) {
      timed.length = 0;
      this.head = 0;
    }
  }
}

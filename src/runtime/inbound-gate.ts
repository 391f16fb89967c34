import type { OutboundQueue } from "../session/outbound-queue.js";
import type { Transport } from "../transport/transport.js";
import type { BudgetSleeper, InboundBudget } from "./inbound-budget.js";

/** @hidden The inbound bounds a gate applies (the server's options, or the client's). */
export interface InboundBounds {
  /** Queued inbound messages above which reading from the socket pauses. */
  readonly inboundQueueLimit: number;
  /** Queued inbound bytes above which reading from the socket pauses. */
  readonly inboundQueueBytes: number;
  /** Queued inbound bytes of every session of the server (`null`: none, the client and harness). */
  readonly inboundBudget: InboundBudget | null;
}

/**
 * Why reading from the socket is paused; it resumes when no reason is left. QUEUE: this session's
 * inbound queue is over its bounds. BUDGET: the server's inbound budget is spent. OUTBOUND: the
 * session's outbound queue is full, so nothing more is handled until the peer reads (a handler that
 * replies, or sends without awaiting, cannot then queue without limit).
 */
const PAUSE = { QUEUE: 1, BUDGET: 2, OUTBOUND: 4 } as const;

/**
 * @hidden When one session stops and resumes reading: the bytes of the messages waiting in its
 * dispatcher's queue, the server's budget, and a full outbound queue. Created by the dispatcher the first
 * time a message has to wait (a session whose messages run as they arrive never has one), so the path of
 * a message that runs at once has no new work, and a queued one costs a few field adds.
 */
export class InboundGate implements BudgetSleeper {
  /** PAUSE bits: why the transport is paused (0: reading). */
  private pauses = 0;
  /** Bytes of the messages waiting in the queue (counted in the server's budget too). */
  queuedBytes = 0;
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly bounds: InboundBounds,
  ) {}

  /** A message of `n` bytes waits; `depth`: jobs now waiting. Pauses past this session's or the server's bound. */
  queued(n: number, depth: number): void {
    this.queuedBytes += n;
    const b = this.bounds.inboundBudget;
    if (b !== null && (b.used += n) > b.limit && b.sleep(this)) this.pauseFor(PAUSE.BUDGET);
    if ((this.pauses & PAUSE.QUEUE) === 0 && (depth > this.bounds.inboundQueueLimit || this.queuedBytes > this.bounds.inboundQueueBytes)) {
      this.pauseFor(PAUSE.QUEUE);
    }
  }

  /** A queued message of `n` bytes leaves the queue to run. */
  dequeued(n: number): void {
    this.queuedBytes -= n;
    const b = this.bounds.inboundBudget;
    if (b !== null && (b.used -= n) <= b.wakeAt && b.sleeping !== 0) b.wake();
  }

  /** An async handler settled with `depth` jobs waiting: read again once half the queue is done. */
  progressed(depth: number): void {
    const l = this.bounds;
    if ((this.pauses & PAUSE.QUEUE) !== 0 && depth <= l.inboundQueueLimit >> 1 && this.queuedBytes <= l.inboundQueueBytes / 2) this.resumeFrom(PAUSE.QUEUE);
  }

  /** The queue is empty. */
  drained(): void {
    if ((this.pauses & PAUSE.QUEUE) !== 0) this.resumeFrom(PAUSE.QUEUE);
  }

  /**
   * A message is due while the outbound queue is full: if it still is once flushed, stop reading until it
   * has room and return true; `room` then runs (from the queue's flush) and must resume the queue.
   */
  holdForOutbound(out: OutboundQueue, room: () => void): boolean {
    if (!out.whenRoom(room)) return false;
    this.pauseFor(PAUSE.OUTBOUND);
    return true;
  }

  /** Stopped until the peer reads (the outbound queue is full). */
  get waitingForRoom(): boolean {
    return (this.pauses & PAUSE.OUTBOUND) !== 0;
  }

  /** The outbound queue has room again. */
  outboundRoom(): void {
    this.resumeFrom(PAUSE.OUTBOUND);
  }

  /** @hidden BudgetSleeper */
  budgetFreed(): void {
    this.resumeFrom(PAUSE.BUDGET);
  }

  /** The session ended: whatever it still counted goes back to the budget. */
  release(): void {
    this.closed = true;
    this.bounds.inboundBudget?.forget(this, this.queuedBytes);
    this.queuedBytes = 0;
  }

  private pauseFor(reason: number): void {
    if (this.pauses === 0) this.transport.pause();
    this.pauses |= reason;
  }

  private resumeFrom(reason: number): void {
    if ((this.pauses & reason) === 0) return;
    this.pauses &= ~reason;
    if (this.pauses === 0 && !this.closed) this.transport.resume();
  }
}

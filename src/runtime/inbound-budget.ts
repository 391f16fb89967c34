/** @hidden A session that stops reading while the server's inbound budget is spent. */
export interface BudgetSleeper {
  /** The budget has room again: read on, unless paused for another reason. */
  budgetFreed(): void;
}

/**
 * @hidden Bytes of inbound messages queued behind running handlers, summed over every session of one
 * server (`inboundBudget`). A session's own `inboundQueueBytes` bounds one connection; this bounds many:
 * a thousand connections each just under their own bound would otherwise still add up.
 *
 * The dispatcher adds and subtracts `used` inline (a field add per queued message, nothing for a message
 * that runs at once); it calls in here only when the budget is crossed. A session that queues past the
 * limit stops reading and sleeps until the total falls to half the limit, the same hysteresis as a
 * session's own queue, so pausing and resuming do not alternate on every message.
 */
export class InboundBudget {
  used = 0;
  /** Sleeping sessions; `sleeping` mirrors its size so the per-message check reads a number. */
  private readonly sleepers = new Set<BudgetSleeper>();
  sleeping = 0;
  readonly wakeAt: number;

  constructor(readonly limit: number) {
    this.wakeAt = Math.floor(limit / 2);
  }

  /** `sleeper` queued past the limit: it stops reading until {@link wake}. False when it already sleeps. */
  sleep(sleeper: BudgetSleeper): boolean {
    if (this.sleepers.has(sleeper)) return false;
    this.sleepers.add(sleeper);
    this.sleeping = this.sleepers.size;
    return true;
  }

  /** Called once `used` fell to `wakeAt` while sessions sleep: every sleeper reads again. */
  wake(): void {
    const sleepers = [...this.sleepers];
    this.sleepers.clear();
    this.sleeping = 0;
    for (const s of sleepers) s.budgetFreed();
  }

  /** A session ended: it no longer waits, and whatever it still counted is given back. */
  forget(sleeper: BudgetSleeper, bytes: number): void {
    if (this.sleepers.delete(sleeper)) this.sleeping = this.sleepers.size;
    this.used -= bytes;
    if (this.sleeping !== 0 && this.used <= this.wakeAt) this.wake();
  }
}

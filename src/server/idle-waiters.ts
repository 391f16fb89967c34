/**
 * Who waits for the server to have no session left (`close()`): woken when the last session is
 * released, or given up on after a timeout.
 */
export class IdleWaiters {
  private waiters: Array<() => void> = [];

  /** The server has no session any more: every waiter resolves true. */
  wake(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves true when woken, false after `timeoutMs` (the timer does not keep the process alive). */
  wait(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }
}

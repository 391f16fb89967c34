/** Test helper: values pushed by endpoint callbacks, awaited one at a time (bounded by a timeout). */
export class Inbox<T> {
  private readonly items: T[] = [];
  private waiters: Array<(v: T) => void> = [];
  readonly all: T[] = [];

  push = (value: T): void => {
    this.all.push(value);
    const w = this.waiters.shift();
    if (w) w(value);
    else this.items.push(value);
  };

  next(timeoutMs = 5000): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift()!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`Inbox: nothing arrived within ${timeoutMs} ms (so far: ${JSON.stringify(this.all)})`));
      }, timeoutMs);
      const waiter = (v: T): void => {
        clearTimeout(timer);
        resolve(v);
      };
      this.waiters.push(waiter);
    });
  }

  /** Waits until a value satisfying `predicate` arrives, skipping the others. */
  async until(predicate: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
    for (let i = 0; i < 1000; i++) {
      const v = await this.next(timeoutMs);
      if (predicate(v)) return v;
    }
    throw new Error("Inbox.until: no match in 1000 values");
  }
}

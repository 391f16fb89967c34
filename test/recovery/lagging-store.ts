import type { ClaimRequest, ClaimResult, RecoveryStore, RecoveryStoreListener, RecoveryStoreStats, SessionBounds, SessionEntry, SessionState, StoredMessage } from "../../src/recovery/store.js";

/**
 * A recovery store whose writes reach the real one `lag` ms late, in order: a node whose event loop or
 * connection to Redis is slow. Reads (peek, claim) go straight through.
 */
export class LaggingStore implements RecoveryStore {
  constructor(
    private readonly inner: RecoveryStore,
    private readonly lag: number,
  ) {}

  private later(write: () => void): void {
    // Timers of one delay fire in the order they were set: the writes keep their order.
    setTimeout(write, this.lag);
  }

  open(entry: SessionEntry): void {
    this.inner.open(entry);
  }
  append(sessionId: string, nodeId: string, message: StoredMessage, bounds: SessionBounds, position?: string): void {
    this.later(() => this.inner.append(sessionId, nodeId, message, bounds, position));
  }
  save(sessionId: string, nodeId: string, state: SessionState, bounds: SessionBounds, position?: string): void {
    this.later(() => this.inner.save(sessionId, nodeId, state, bounds, position));
  }
  park(sessionId: string, nodeId: string, state: SessionState, bounds: SessionBounds, position?: string): void {
    this.later(() => this.inner.park(sessionId, nodeId, state, bounds, position));
  }
  claim(request: ClaimRequest): ClaimResult | Promise<ClaimResult> {
    return this.inner.claim(request);
  }
  forget(sessionId: string, nodeId: string): void {
    this.later(() => this.inner.forget(sessionId, nodeId));
  }
  stats(): RecoveryStoreStats {
    return this.inner.stats();
  }
  peek(tokenHash: string): ReturnType<NonNullable<RecoveryStore["peek"]>> {
    return this.inner.peek!(tokenHash);
  }
  release(sessionId: string, nodeId: string, gone?: boolean): Promise<void> {
    return new Promise((resolve, reject) => this.later(() => this.inner.release!(sessionId, nodeId, gone).then(resolve, reject)));
  }
  bind(listener: RecoveryStoreListener): void {
    this.inner.bind?.(listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

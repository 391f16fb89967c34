/**
 * Counts what endpoints report about their sessions, so tests can await "every session closed" as an
 * event (no polling) and check @OnClose ran exactly once per session.
 */
import type { Logger } from "../../src/index.js";

export class LifecycleTracker {
  readonly opened = new Set<string>();
  /** Session id → how many times @OnClose ran for it. */
  readonly closeCount = new Map<string, number>();
  readonly closeCodes: number[] = [];
  /** `name: message` of each error reported to @OnError (strings: an Error's unformatted stack would keep the handler's receiver alive). */
  readonly errors: string[] = [];
  private closes = 0;
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  /** Objects tracked for garbage collection, and how many of them were collected. */
  private tracked = 0;
  private collected = 0;
  private readonly registry = new FinalizationRegistry<undefined>(() => void this.collected++);

  /** Records an opened session; `objects` (the session, the endpoint instance) are watched for collection. */
  open(id: string, ...objects: object[]): void {
    this.opened.add(id);
    for (const o of objects) {
      this.registry.register(o, undefined);
      this.tracked++;
    }
  }

  /** Drops the per-session bookkeeping (before measuring the heap); counts stay. */
  forgetSessions(): void {
    this.opened.clear();
    this.closeCount.clear();
    this.closeCodes.length = 0;
  }

  /** Watched objects not garbage-collected yet (after a forced GC: leaked). */
  get uncollected(): number {
    return this.tracked - this.collected;
  }

  close(id: string, code: number): void {
    this.closeCount.set(id, (this.closeCount.get(id) ?? 0) + 1);
    this.closeCodes.push(code);
    this.closes++;
    if (this.waiters.length > 0) {
      // The server releases the session right after @OnClose returns; resolve after that.
      setImmediate(() => this.wake());
    }
  }

  error(e: Error): void {
    this.errors.push(`${e.name}: ${e.message}`);
  }

  get totalCloses(): number {
    return this.closes;
  }

  /** Resolves once @OnClose ran `n` times in total; rejects after `timeoutMs`. */
  whenClosed(n: number, timeoutMs = 15_000): Promise<void> {
    if (this.closes >= n) return new Promise((r) => setImmediate(r));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.closes} of ${n} sessions closed within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  /** Sessions whose @OnClose ran other than exactly once (should be empty). */
  unbalanced(): Array<{ id: string; closes: number }> {
    const bad: Array<{ id: string; closes: number }> = [];
    for (const id of this.opened) {
      const c = this.closeCount.get(id) ?? 0;
      if (c !== 1) bad.push({ id, closes: c });
    }
    for (const [id, c] of this.closeCount) if (!this.opened.has(id)) bad.push({ id, closes: c });
    return bad;
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => this.closes >= w.n);
    this.waiters = this.waiters.filter((w) => this.closes < w.n);
    for (const w of ready) w.resolve();
  }
}

/** A Logger that counts calls per level and keeps warn/error messages, to assert "nothing was logged". */
export class CountingLogger implements Logger {
  readonly counts = { debug: 0, info: 0, warn: 0, error: 0 };
  readonly problems: string[] = [];

  debug(): void {
    this.counts.debug++;
  }
  info(): void {
    this.counts.info++;
  }
  warn(obj: object, msg?: string): void {
    this.counts.warn++;
    this.problems.push(`warn: ${msg ?? ""} ${describe(obj)}`);
  }
  error(obj: object, msg?: string): void {
    this.counts.error++;
    this.problems.push(`error: ${msg ?? ""} ${describe(obj)}`);
  }
}

function describe(obj: object): string {
  const err = (obj as { err?: unknown }).err;
  return err instanceof Error ? `${err.name}: ${err.message}` : "";
}

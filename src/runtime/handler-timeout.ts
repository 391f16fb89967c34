/** What the wheel needs from a dispatcher that is waiting on an async handler. */
export interface TimedWait {
  /** Tick at which the wait was armed, or -1 when nothing is pending. Written by the dispatcher. */
  armedAt: number;
  /** Whether the wheel currently tracks this wait (so arming twice never adds twice). */
  inWheel: boolean;
  /** The pending handler ran past the timeout: abandon it and move the queue on. */
  timedOut(): void;
}

/** Coarsest and finest tick of the wheel, in ms. */
const MAX_TICK_MS = 1000;
const MIN_TICK_MS = 10;

/**
 * Bounds async handlers without a timer per message: one coarse interval per server, running only
 * while some session waits on an async handler. Arming is two field writes (and a Set insert the
 * first time a session waits), so sync handlers pay nothing and async ones almost nothing. A handler
 * is abandoned between `timeoutMs` and `timeoutMs + tick` after it started.
 */
export class HandlerTimeoutWheel {
  /** Ticks elapsed; the dispatcher stores this when it arms. */
  tick = 0;
  readonly tickMs: number;
  private readonly ticksToExpire: number;
  private readonly waits = new Set<TimedWait>();
  private timer: NodeJS.Timeout | null = null;
  private readonly sweepBound: () => void;

  constructor(readonly timeoutMs: number) {
    // A tick of a quarter of the timeout keeps the overshoot small; once per second is plenty for long ones.
    this.tickMs = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, Math.floor(timeoutMs / 4)));
    this.ticksToExpire = Math.ceil(timeoutMs / this.tickMs);
    this.sweepBound = () => this.sweep();
  }

  /** Starts tracking `w`, whose `armedAt` the caller has just set to `tick`. */
  track(w: TimedWait): void {
    w.inWheel = true;
    this.waits.add(w);
    if (this.timer === null) {
      this.timer = setInterval(this.sweepBound, this.tickMs);
      // Pending handlers must not keep a process alive that has nothing else to do.
      this.timer.unref();
    }
  }

  /** Stops tracking `w` at once (its session is released; waiting for the next sweep would keep it alive). */
  untrack(w: TimedWait): void {
    w.inWheel = false;
    w.armedAt = -1;
    this.waits.delete(w);
  }

  /** Sessions currently tracked (tests). */
  get size(): number {
    return this.waits.size;
  }

  /** Stops the interval and forgets every wait (server closed). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const w of this.waits) w.inWheel = false;
    this.waits.clear();
  }

  private sweep(): void {
    const now = ++this.tick;
    let expired: TimedWait[] | undefined;
    for (const w of this.waits) {
      if (w.armedAt === -1) {
        // Idle sessions leave lazily, so a session that awaits on every message is not re-added each time.
        w.inWheel = false;
        this.waits.delete(w);
      } else if (now - w.armedAt > this.ticksToExpire) {
        (expired ??= []).push(w);
      }
    }
    if (this.waits.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    if (expired !== undefined) for (const w of expired) w.timedOut();
  }
}

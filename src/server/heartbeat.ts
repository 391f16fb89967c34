import { CloseCodes } from "../close-reason.js";
import type { WsSession, LivenessHost } from "../session/ws-session.js";

const EMPTY = Buffer.alloc(0);
/** Idle timeouts are checked at a quarter of the shortest one, so a session closes within 1.25× its timeout. */
const IDLE_RESOLUTION = 4;
const MIN_TICK_MS = 5;

// Whole milliseconds: session fields that only ever hold small integers stay unboxed, where a fraction
// would give every session two heap numbers (T5: idle memory).
function nowMs(): number {
  return Math.floor(performance.now());
}

/**
 * Heartbeat and idle timeout for every session of a server on ONE timer. Each tick pings sessions whose
 * ping is due and terminates those that did not answer the previous ping (their @OnClose sees 1006);
 * sessions with no message either way for their idle timeout are closed with 1001, which their @OnClose
 * sees whatever the peer answers. The tick period follows the shortest interval in use and the timer
 * stops when nothing needs it.
 */
export class LivenessMonitor implements LivenessHost {
  private timer: NodeJS.Timeout | null = null;
  private period = Infinity;
  private stopped = false;

  constructor(private readonly sessions: ReadonlySet<WsSession>) {}

  /** Starts watching a session with its endpoint's heartbeat interval and idle timeout (0: off). */
  track(session: WsSession, heartbeatInterval: number, maxIdleTimeout: number): void {
    const now = nowMs();
    session.liveness = this;
    session.heartbeatInterval = heartbeatInterval;
    session.nextPing = now + heartbeatInterval;
    session.lastActive = now;
    if (heartbeatInterval > 0) this.want(heartbeatInterval);
    if (maxIdleTimeout > 0) session.setMaxIdleTimeout(maxIdleTimeout);
  }

  idleTimeoutChanged(session: WsSession): void {
    const ms = session.getMaxIdleTimeout();
    if (ms > 0) {
      session.lastActive = nowMs();
      this.want(ms / IDLE_RESOLUTION);
    }
  }

  /** No further ticks (server shutdown). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private want(periodMs: number): void {
    const p = Math.max(MIN_TICK_MS, Math.floor(periodMs));
    if (this.stopped || p >= this.period) return;
    this.schedule(p);
  }

  private schedule(p: number): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.period = p;
    this.timer = p === Infinity ? null : setInterval(() => this.tick(), p);
    this.timer?.unref();
  }

  /** @hidden One pass over every session. */
  tick(): void {
    const now = nowMs();
    // A due time within half a tick counts as due, so a session pings every interval, not every other tick.
    const slack = this.period / 2;
    let shortest = Infinity;
    for (const s of this.sessions) {
      const hb = s.heartbeatInterval;
      if (hb > 0) {
        if (hb < shortest) shortest = hb;
        if (now + slack >= s.nextPing) {
          if (s.awaitingPong) {
            s.transport.terminate();
            continue;
          }
          if (s.transport.isOpen) {
            s.awaitingPong = true;
            s.nextPing = now + hb;
            s.transport.ping(EMPTY, undefined);
          }
        }
      }
      const idle = s.getMaxIdleTimeout();
      if (idle > 0) {
        if (idle / IDLE_RESOLUTION < shortest) shortest = idle / IDLE_RESOLUTION;
        if (s.active) {
          s.active = false;
          s.lastActive = now;
        } else if (now - s.lastActive >= idle && s.isOpen()) {
          s.closeReporting(CloseCodes.GOING_AWAY, `idle timeout: no message for ${idle} ms`);
        }
      }
    }
    const next = shortest === Infinity ? Infinity : Math.max(MIN_TICK_MS, Math.floor(shortest));
    if (next !== this.period) this.schedule(next);
  }
}

/** What {@link MessageDedupe.check} decided about one message. */
export const Verdicts = { NEW: 0, LATE: 1, DUPLICATE: 2, TOO_OLD: 3 } as const;
export type Verdict = (typeof Verdicts)[keyof typeof Verdicts];

/** Messages below an origin's highest sequence number whose arrival is still remembered. */
export const WINDOW = 32;

/**
 * What one origin costs: the 16-character key, the state object and the map entry, rounded up. The
 * bound is kept in bytes by counting origins at this price.
 */
export const BYTES_PER_ORIGIN = 192;

interface OriginState {
  /** Highest sequence number delivered. */
  high: number;
  /** Bit i set: `high - 1 - i` was delivered. */
  mask: number;
  /** The first sequence number seen; anything below predates this node's reading of the origin. */
  base: number;
  /** When it was last heard from (ms), for {@link MessageDedupe.forgetIdle}. */
  seen: number;
}

/** Counters of a {@link MessageDedupe}. */
export interface DedupeCounters {
  /** Messages dropped because their id was already delivered. */
  duplicates: number;
  /** Messages delivered after a later one of the same origin (a retried publish). */
  reordered: number;
  /** Sequence numbers skipped by an origin and never seen: messages lost for this node. */
  missed: number;
  /** Messages dropped because they are older than the window or than what this node first saw. */
  tooOld: number;
  /** Origins forgotten because the memory bound was reached while they were still active. */
  evicted: number;
}

/**
 * Remembers, per origin (one publishing connection of one node), which sequence numbers were delivered:
 * the highest one and a sliding window of {@link WINDOW} below it. A message is identified by
 * `origin:sequence`; each origin numbers its messages 1, 2, 3… in publish order, so this is exact for
 * duplicates and for retried publishes that arrive a little out of order, and it costs a constant
 * {@link BYTES_PER_ORIGIN} per origin. Memory is bounded by `maxBytes`: past it, the origin heard from
 * least recently is forgotten (counted in `evicted`).
 */
export class MessageDedupe {
  readonly counters: DedupeCounters = { duplicates: 0, reordered: 0, missed: 0, tooOld: 0, evicted: 0 };
  readonly capacity: number;
  // Insertion order is refreshed on every message, so the first key is the least recently heard.
  private readonly origins = new Map<string, OriginState>();

  constructor(maxBytes: number) {
    this.capacity = Math.max(1, Math.floor(maxBytes / BYTES_PER_ORIGIN));
  }

  /** Origins remembered. */
  get size(): number {
    return this.origins.size;
  }

  /** Bytes held, at {@link BYTES_PER_ORIGIN} each. */
  get bytes(): number {
    return this.origins.size * BYTES_PER_ORIGIN;
  }

  check(origin: string, seq: number, now: number): Verdict {
    const s = this.origins.get(origin);
    if (s === undefined) {
      if (this.origins.size >= this.capacity) {
        const [oldest] = this.origins.keys();
        this.origins.delete(oldest!);
        this.counters.evicted++;
      }
      this.origins.set(origin, { high: seq, mask: 0, base: seq, seen: now });
      return Verdicts.NEW;
    }
    if (s.seen !== now) {
      s.seen = now;
      this.origins.delete(origin);
      this.origins.set(origin, s);
    }
    if (seq > s.high) {
      const d = seq - s.high;
      this.counters.missed += d - 1;
      s.mask = d > WINDOW ? 0 : ((d === WINDOW ? 0 : s.mask << d) | (1 << (d - 1))) >>> 0;
      s.high = seq;
      return Verdicts.NEW;
    }
    const back = s.high - seq;
    if (back === 0) return this.duplicate();
    if (back > WINDOW || seq < s.base) {
      this.counters.tooOld++;
      return Verdicts.TOO_OLD;
    }
    const bit = (1 << (back - 1)) >>> 0;
    if ((s.mask & bit) !== 0) return this.duplicate();
    s.mask = (s.mask | bit) >>> 0;
    this.counters.reordered++;
    this.counters.missed--;
    return Verdicts.LATE;
  }

  /** Forgets origins not heard from since `before` (ms): their messages have left the stream. */
  forgetIdle(before: number): void {
    for (const [origin, s] of this.origins) {
      if (s.seen >= before) break;
      this.origins.delete(origin);
    }
  }

  private duplicate(): Verdict {
    this.counters.duplicates++;
    return Verdicts.DUPLICATE;
  }
}

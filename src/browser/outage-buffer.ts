/** The browser client's outage buffer: messages sent while disconnected, bounded in count and in bytes. */

/** One held message: its JSON text and, for a request, its id. */
export interface Held {
  readonly text: string;
  readonly bytes: number;
  readonly id: number | undefined;
}

/** UTF-8 length of a string without encoding it (a surrogate pair is 4 bytes, 2 per code unit). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    n += c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
  }
  return n;
}

/** A FIFO with a count limit and a byte limit, flushed in order on the next open connection. */
export class OutageBuffer {
  private held: Held[] = [];
  private used = 0;

  constructor(
    private readonly limit: number,
    private readonly maxBytes: number,
  ) {}

  /** Messages held. */
  get size(): number {
    return this.held.length;
  }

  /** UTF-8 bytes held. */
  get bytes(): number {
    return this.used;
  }

  /**
   * Holds `item`. Returns the messages dropped to make room (only with `dropOldest`), or `null` when it
   * does not fit: the buffer is full and may not drop, or the message alone is over the limits.
   */
  add(item: Held, dropOldest: boolean): Held[] | null {
    if (this.limit === 0 || item.bytes > this.maxBytes) return null;
    const dropped: Held[] = [];
    while (this.held.length >= this.limit || this.used + item.bytes > this.maxBytes) {
      if (!dropOldest) return null;
      const first = this.held.shift()!;
      this.used -= first.bytes;
      dropped.push(first);
    }
    this.held.push(item);
    this.used += item.bytes;
    return dropped;
  }

  /** Removes the request `id` (it timed out before it could be sent). */
  remove(id: number): void {
    const i = this.held.findIndex((h) => h.id === id);
    if (i >= 0) this.used -= this.held.splice(i, 1)[0]!.bytes;
  }

  /** Everything held, oldest first; the buffer is empty afterwards. */
  drain(): Held[] {
    const all = this.held;
    this.held = [];
    this.used = 0;
    return all;
  }
}

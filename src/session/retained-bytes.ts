/**
 * A Buffer is often a view into a larger allocation: a received message into the socket read it came
 * in, a slice of an application's arena. Queued for a slow reader, the view keeps the whole allocation
 * alive while the outbound queue and the socket count only the view's bytes, so a slow session could
 * hold far more memory than its bounds say. Up to this size a backing store pins no more than the
 * 8 KiB pool slab a freshly allocated small Buffer pins anyway.
 */
const SMALL_BACKING_STORE = 8 * 1024;

/** @internal Whether queueing `buf` would keep alive a backing store much larger than `buf` itself. */
export function pinsLargerStore(buf: Buffer): boolean {
  const backing = buf.buffer.byteLength;
  return backing > SMALL_BACKING_STORE && buf.length * 2 < backing;
}

/**
 * A Buffer is often a view into a larger allocation: a received message into the socket read it came
 * in, a slice of an application's arena. Held for a slow reader, the view keeps the whole allocation
 * alive while the outbound queue and the socket count only the view's bytes, so a slow session could
 * hold far more memory than its bounds say. Up to this size a backing store pins no more than the
 * 8 KiB pool slab a freshly allocated small Buffer pins anyway.
 */
const SMALL_BACKING_STORE = 8 * 1024;

/** @hidden Whether holding `buf` would keep alive a backing store much larger than `buf` itself. */
export function pinsLargerStore(buf: Buffer): boolean {
  const backing = buf.buffer.byteLength;
  return backing > SMALL_BACKING_STORE && buf.length * 2 < backing;
}

/**
 * @hidden `buf`, or a copy of it when holding it would pin a larger store. The check reads
 * `Buffer#buffer`, a C++ builtin (about 150 instructions, a tenth of a small echo's framework cost), so
 * the outbound queue makes it only for bytes that will be held: queued behind a slow reader, or written
 * to a socket that earlier turns left unsent bytes in. Bytes written to a socket that keeps up leave at
 * the end of the turn.
 */
export function unpinned(buf: Buffer): Buffer {
  return pinsLargerStore(buf) ? Buffer.from(buf) : buf;
}

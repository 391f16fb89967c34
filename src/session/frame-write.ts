import type { EndpointCounters } from "../metrics/metrics.js";
import type { Transport, WriteCallback } from "../transport/transport.js";
import type { OutboundLimits } from "./outbound-options.js";
import type { PendingSend } from "./pending-send.js";
import { unpinned } from "./retained-bytes.js";

// How the outbound queue hands a frame to its transport, and how much it may hand over in one turn.
// Module functions, not methods: the queue's hot path calls them with what it holds, no state of their own.

/** Strings shorter than this (UTF-16 units) are written as a Buffer. */
const SHORT_TEXT = 256;

/** Hands one text or binary frame to the transport, counted; `behind`: it will stay in the socket a while. */
export function writeFrame(
  t: Transport,
  c: EndpointCounters,
  binary: boolean,
  data: string | Buffer,
  fin: boolean,
  done: WriteCallback | undefined,
  behind: boolean,
): void {
  if (fin) c.messagesOut++;
  // A short string is cheaper to write as bytes: a string chunk makes the socket's writev build a
  // chunk/encoding list and encode it, and ws measures its byte length first (measured: 32 chars
  // 10-17% less CPU per message, break-even near 300 chars, longer strings cost more).
  if (typeof data === "string") {
    if (data.length < SHORT_TEXT) data = Buffer.from(data, "utf8");
  } else if (behind) data = unpinned(data);
  c.bytesOut += typeof data === "string" ? Buffer.byteLength(data) : data.length;
  t.send(data, binary, fin, done);
}

/**
 * Bytes this turn may still hand the corked transport, 0 when the queue must hold: the reader is behind
 * (`backlog` at the high-water mark) or the turn has had max(highWaterMark, maxBytes) already.
 */
export function roomThisTurn(l: OutboundLimits, t: Transport, backlog: number): number {
  if (backlog >= l.highWaterMark) return 0;
  const room = (l.highWaterMark > l.maxBytes ? l.highWaterMark : l.maxBytes) - (t.bufferedAmount - backlog);
  return room > 0 ? room : 0;
}

/**
 * Writes a message when nothing is queued, as the queue's flush would write it right away; false when the
 * queue has to take it instead: closed, not coalescing, compressed, or the reader is behind. The
 * transport must coalesce and not compress: an Async handle awaited after the hand-over then learns
 * from it (`whenFlushed`) when the turn's write has left.
 */
export function writeAtOnce(
  t: Transport,
  l: OutboundLimits,
  c: EndpointCounters,
  binary: boolean,
  data: string | Buffer,
  fin: boolean,
  done: WriteCallback | undefined,
  pending: PendingSend | undefined,
): boolean {
  if (!t.isOpen || t.compressed || !t.cork()) return false;
  const backlog = t.backlog;
  if (roomThisTurn(l, t, backlog) === 0) return false;
  writeFrame(t, c, binary, data, fin, done ?? pending?.writeCallback(t), backlog !== 0);
  return true;
}

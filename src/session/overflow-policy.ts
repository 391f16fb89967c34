import { QueueOverflowError } from "../errors.js";
import type { OutboundLimits } from "./outbound-options.js";

/** What a queue at its bounds does with one more message, by its `OverflowPolicy`. */
export const OVERFLOW = { ACCEPT: 0, REFUSE: 1, EVICT: 2, CLOSE: 3 } as const;
export type OverflowVerdict = (typeof OVERFLOW)[keyof typeof OVERFLOW];

/** The verdict for one more message of `size` bytes, the queue holding `count` messages and `bytes` bytes. */
export function overflowVerdict(l: OutboundLimits, count: number, bytes: number, size: number, awaited: boolean, partial: boolean): OverflowVerdict {
  switch (l.policy) {
    // A piece of a fragmented message is never dropped for a whole one, but it too stops at the allowance:
    // a loop of unawaited partial sends must not queue without limit either.
    case "await":
      return (partial || awaited) && withinAllowance(l, count, bytes, size) ? OVERFLOW.ACCEPT : OVERFLOW.REFUSE;
    case "drop-newest":
      return partial && withinAllowance(l, count, bytes, size) ? OVERFLOW.ACCEPT : OVERFLOW.REFUSE;
    case "drop-oldest":
      return OVERFLOW.EVICT;
    case "close":
      return OVERFLOW.CLOSE;
  }
}

/**
 * After the oldest whole messages were evicted: whether the message fits. Only pieces of a fragmented
 * message and control frames may be left to evict; then the allowance decides.
 */
export function fitsAfterEviction(l: OutboundLimits, count: number, bytes: number, size: number): boolean {
  return (count < l.maxMessages && bytes + size <= l.maxBytes) || withinAllowance(l, count, bytes, size);
}

/**
 * Whether a waiting send (Basic, or a reply) past the bound still fits: the queue takes one more bound's
 * worth (`maxMessages` messages, `maxBytes` bytes) beyond it, and any single message while it is not
 * over its byte bound. What a handler sends without awaiting, in a loop, fails fast past that instead of
 * queuing without limit; a handler that awaits each send, or sends once per message, never gets there
 * (the dispatcher handles no message while the queue is full).
 */
export function withinAllowance(l: OutboundLimits, count: number, bytes: number, size: number): boolean {
  return count < l.maxMessages * 2 && (bytes <= l.maxBytes || bytes + size <= l.maxBytes * 2);
}

/** The error of a send refused (or a queue closed) by a full queue. */
export function queueFull(l: OutboundLimits): QueueOverflowError {
  return new QueueOverflowError(`The outbound queue is full (${l.maxMessages} messages / ${l.maxBytes} bytes, policy "${l.policy}"): the peer reads too slowly.`);
}

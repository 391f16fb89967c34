/**
 * The end-of-turn flush shared by every outbound queue. It pairs with ws-transport.ts's `corked` set:
 * both batch work to the end of the turn, this one in a microtask (queues hand their entries to the
 * transport), that one in a `setImmediate` (sockets uncork and write).
 */

/** What the scheduler calls back: a queue with entries to hand to its transport. */
export interface Flushable {
  flush(): void;
}

// Queues with entries to flush, written in one microtask for all of them: a broadcast to N sessions
// costs one scheduled callback, not N.
const dirty: Flushable[] = [];
let flushScheduled = false;
const RESOLVED = Promise.resolve();

function flushDirty(): void {
  // Queues marked while flushing (write callbacks, policy closes) are flushed in the same pass.
  for (let i = 0; i < dirty.length; i++) dirty[i]!.flush();
  dirty.length = 0;
  flushScheduled = false;
}

/** Flushes `queue` in the microtask shared by every queue marked in this turn; mark a queue once per flush. */
export function scheduleFlush(queue: Flushable): void {
  dirty.push(queue);
  if (!flushScheduled) {
    flushScheduled = true;
    void RESOLVED.then(flushDirty);
  }
}

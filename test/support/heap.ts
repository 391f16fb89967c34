/** Heap measurement for leak checks, without needing `--expose-gc` on the command line. */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gcFn: (() => void) | undefined;

/** A full, synchronous garbage collection. */
export function forceGc(): void {
  if (gcFn === undefined) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (existing) gcFn = existing;
    else {
      // Enabling the flag at run time makes a fresh context expose gc(); it is the documented V8 switch.
      setFlagsFromString("--expose-gc");
      gcFn = runInNewContext("gc") as () => void;
    }
  }
  gcFn();
}

/** Heap in use after collecting until it stops shrinking (bounded), in bytes. */
export async function settledHeap(): Promise<number> {
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 6; i++) {
    // Let timers and closed sockets' callbacks run so what they hold becomes garbage.
    await new Promise((r) => setImmediate(r));
    forceGc();
    const used = process.memoryUsage().heapUsed;
    if (used >= last * 0.99) return Math.min(used, last);
    last = used;
  }
  return last;
}

/**
 * Collects garbage until `done()` holds (e.g. every watched object finalized), at most `rounds` times.
 * Each round lets the event loop turn once, so sockets closing in libuv and FinalizationRegistry
 * callbacks get to run between collections. Returns whether `done()` held.
 */
export async function collectUntil(done: () => boolean, rounds = 50): Promise<boolean> {
  for (let i = 0; i < rounds; i++) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 0));
    await new Promise((r) => setImmediate(r));
    forceGc();
  }
  return done();
}

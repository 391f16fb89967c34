import { OUT, type Entry } from "./outbound-entry.js";
import { unpinned } from "./retained-bytes.js";

/**
 * @hidden Entries `from`..`to` of a queue that starts holding them for a slow reader: each binary view
 * that would pin a larger allocation is replaced by a copy (retained-bytes.ts says why). Runs only when
 * a queue begins to hold, never on the fast path.
 */
export function unpinHeld(entries: ReadonlyArray<Entry | null>, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const e = entries[i];
    if (e !== null && e !== undefined && !e.gone && e.kind <= OUT.BINARY && typeof e.data !== "string") e.data = unpinned(e.data as Buffer);
  }
}

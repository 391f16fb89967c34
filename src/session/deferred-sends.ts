import type { Entry } from "./outbound-entry.js";

/**
 * Other senders' whole messages (broadcasts) held behind the session's own open fragmented message: they
 * follow its last fragment, in the order they came. The queue counts them in its bounds at once; `count`
 * and `bytes` let it tell them apart, since they must not stop the session handling messages.
 */
export class DeferredSends {
  readonly entries: Entry[] = [];
  count = 0;
  bytes = 0;

  add(e: Entry): void {
    this.entries.push(e);
    this.count++;
    this.bytes += e.size;
  }
}

import type { Logger, ServerHandle } from "../../src/index.js";
import type { TestClient } from "../../src/testing/index.js";

/** A logger that keeps every line (level and message), for asserting what a broker reported. */
export function collectLog(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (_obj: object, msg?: string) => void lines.push(`${level}: ${msg ?? ""}`);
  return { lines, logger: { debug: keep("debug"), info: keep("info"), warn: keep("warn"), error: keep("error") } };
}

/** What the receivers of a numbered broadcast run got, against what the publisher was told. */
export interface DeliveryFigures {
  /** Messages the broker reported published (`published: true`). */
  sent: number;
  /** Messages reported not published (Redis unreachable): the contract does not cover them. */
  refused: number;
  /** Of the sent, received by every receiver (summed over receivers). */
  delivered: number;
  /** Of the sent, never received (summed over receivers). */
  lost: number;
  /** Messages received more than once. */
  duplicated: number;
  /** Messages received after a higher-numbered one. */
  reordered: number;
  /** Span of publish times of the lost messages, in ms (0 when none was lost). */
  lossWindowMs: number;
}

/** What a broadcast run has done so far: counts for a chaos step to wait on instead of sleeping. */
export interface BroadcastProgress {
  /** Publishes attempted, reported published (`sent`) and reported not published (`refused`). */
  readonly counts: Readonly<Record<"attempted" | "sent" | "refused", number>>;
  /** Resolves once `count` more publishes than now are `which`; rejects after `timeoutMs` (default 30 s). */
  after(count: number, which: "attempted" | "sent" | "refused", timeoutMs?: number): Promise<void>;
}

class Progress implements BroadcastProgress {
  readonly counts = { attempted: 0, sent: 0, refused: 0 };
  private waiters: Array<{ which: keyof Progress["counts"]; target: number; done(): void }> = [];

  after(count: number, which: keyof Progress["counts"], timeoutMs = 30_000): Promise<void> {
    const target = this.counts[which] + count;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${count} more publishes were not ${which} within ${timeoutMs} ms (${JSON.stringify(this.counts)})`));
      }, timeoutMs);
      const waiter = { which, target, done: () => (clearTimeout(timer), resolve()) };
      this.waiters.push(waiter);
      this.settle();
    });
  }

  record(published: boolean): void {
    this.counts.attempted++;
    this.counts[published ? "sent" : "refused"]++;
    this.settle();
  }

  private settle(): void {
    const ready = this.waiters.filter((w) => this.counts[w.which] >= w.target);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.done();
  }
}

/**
 * Broadcasts numbered messages (`0`, `1`, …) from `from` to `room` one after another while `chaos`
 * runs (it gets the run's {@link BroadcastProgress}), then until `tail` more were published, then a
 * fence; resolves with what each receiver got. Bounded by `maxMessages`, by `tailTimeoutMs` for the
 * tail and by `timeoutMs` for the fence.
 */
export async function broadcastThrough(options: {
  from: ServerHandle;
  room: string;
  receivers: readonly TestClient[];
  chaos: (progress: BroadcastProgress) => Promise<void>;
  tail: number;
  tailTimeoutMs?: number;
  maxMessages?: number;
  timeoutMs?: number;
}): Promise<DeliveryFigures> {
  const { from, room, receivers } = options;
  const got = receivers.map(() => [] as number[]);
  const fence = `end-${Math.random().toString(36).slice(2)}`;
  const arrived = receivers.map(
    (c, i) =>
      new Promise<void>((resolve) => {
        c.ws.on("message", (data: Buffer, binary: boolean) => {
          if (binary) return;
          const text = data.toString();
          if (text === fence) resolve();
          else if (/^\d+$/.test(text)) got[i]!.push(Number(text));
        });
      }),
  );
  const published: boolean[] = [];
  const sentAt: number[] = [];
  const progress = new Progress();
  let tailDone = false;
  let chaosFailed = false;
  const chaos = options.chaos(progress).then(
    () => progress.after(options.tail, "sent", options.tailTimeoutMs).finally(() => (tailDone = true)),
    (error: unknown) => {
      chaosFailed = true;
      throw error;
    },
  );
  const max = options.maxMessages ?? 100_000;
  for (let i = 0; i < max && !tailDone && !chaosFailed; i++) {
    sentAt.push(Date.now());
    const ok = (await from.broadcaster.broadcast(String(i), { room })).published;
    published.push(ok);
    progress.record(ok);
    // One message a millisecond at most: the run measures delivery, not throughput.
    await new Promise((r) => setTimeout(r, 1));
  }
  await chaos;
  let fenced = false;
  for (let attempt = 0; attempt < 200 && !fenced; attempt++) {
    fenced = (await from.broadcaster.broadcast(fence, { room })).published;
    if (!fenced) await new Promise((r) => setTimeout(r, 50));
  }
  if (!fenced) throw new Error("the fence could not be published in 200 attempts");
  const timeout = options.timeoutMs ?? 20_000;
  await Promise.race([Promise.all(arrived), new Promise((_, reject) => setTimeout(() => reject(new Error(`the fence did not arrive within ${timeout} ms`)), timeout))]);
  return figures(published, sentAt, got);
}

/** Counts per receiver and sums. Exported for its own unit test. */
export function figures(published: readonly boolean[], sentAt: readonly number[], got: readonly (readonly number[])[]): DeliveryFigures {
  const f: DeliveryFigures = { sent: 0, refused: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, lossWindowMs: 0 };
  for (const p of published) p ? f.sent++ : f.refused++;
  let first = Infinity;
  let last = -Infinity;
  for (const received of got) {
    const seen = new Set<number>();
    let high = -1;
    for (const n of received) {
      if (seen.has(n)) f.duplicated++;
      else if (n < high) f.reordered++;
      seen.add(n);
      high = Math.max(high, n);
    }
    published.forEach((p, n) => {
      if (!p) return;
      if (seen.has(n)) f.delivered++;
      else {
        f.lost++;
        first = Math.min(first, sentAt[n]!);
        last = Math.max(last, sentAt[n]!);
      }
    });
  }
  if (f.lost > 0) f.lossWindowMs = last - first;
  return f;
}

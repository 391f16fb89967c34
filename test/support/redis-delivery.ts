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

/**
 * Broadcasts numbered messages (`0`, `1`, …) from `from` to `room` one after another, while `chaos`
 * runs and for `tailMs` after it, then a fence; resolves with what each receiver got. Bounded by
 * `maxMessages` and by `timeoutMs` for the fence.
 */
export async function broadcastThrough(options: {
  from: ServerHandle;
  room: string;
  receivers: readonly TestClient[];
  chaos: () => Promise<void>;
  tailMs: number;
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
  let chaosDone = false;
  let tailUntil = Infinity;
  const chaos = options.chaos().finally(() => {
    chaosDone = true;
    tailUntil = Date.now() + options.tailMs;
  });
  const max = options.maxMessages ?? 100_000;
  for (let i = 0; i < max && !(chaosDone && Date.now() >= tailUntil); i++) {
    sentAt.push(Date.now());
    published.push((await from.broadcaster.broadcast(String(i), { room })).published);
    // One message a millisecond at most: the run measures delivery, not throughput.
    await new Promise((r) => setTimeout(r, 1));
  }
  await chaos;
  let fenced = false;
  for (let attempt = 0; attempt < 200 && !fenced; attempt++) {
    fenced = (await from.broadcaster.broadcast(fence, { room })).published;
    if (!fenced) await new Promise((r) => setTimeout(r, 50));
  }
  if (!fenced) throw new Error("the fence could not be published within 10 s");
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

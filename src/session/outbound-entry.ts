import type { WriteCallback } from "../transport/transport.js";
import type { PendingSend } from "./pending-send.js";

/** What an outbound entry carries. */
export const OUT = { TEXT: 0, BINARY: 1, PING: 2, PONG: 3, FRAMES: 4, CLOSE: 5 } as const;
export type OutKind = (typeof OUT)[keyof typeof OUT];

/** One send waiting in a session's outbound queue. */
export interface Entry {
  kind: OutKind;
  data: string | Buffer | readonly Buffer[];
  fin: boolean;
  done: WriteCallback | undefined;
  pending: PendingSend | undefined;
  code: number;
  size: number;
  /** Part of a fragmented message: never discarded alone. */
  partial: boolean;
  /** Monotonic ms after which a Basic send fails; 0 when untimed. */
  deadline: number;
  /** Settled (timed out, discarded) or handed to the transport. */
  gone: boolean;
}

/** Bytes of a pre-framed message. */
export function framesSize(frames: readonly Buffer[]): number {
  let n = 0;
  for (let i = 0; i < frames.length; i++) n += frames[i]!.length;
  return n;
}

/** Fails an entry that will not be written: its caller or its Async handle hears `error`. */
export function settle(e: Entry, error: Error): void {
  if (e.done) e.done(error);
  else if (e.pending) e.pending.fail(error);
}

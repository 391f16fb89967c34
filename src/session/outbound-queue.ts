import { SessionClosedError, TransportError } from "../errors.js";
import { DISCARDED_COUNTERS, type EndpointCounters } from "../metrics/metrics.js";
import type { Transport, WriteCallback } from "../transport/transport.js";
import type { PendingSend } from "./pending-send.js";

/** What an outbound entry carries. */
export const OUT = { TEXT: 0, BINARY: 1, PING: 2, PONG: 3, FRAMES: 4, CLOSE: 5 } as const;
export type OutKind = (typeof OUT)[keyof typeof OUT];

interface Entry {
  kind: OutKind;
  data: string | Buffer | readonly Buffer[];
  fin: boolean;
  done: WriteCallback | undefined;
  pending: PendingSend | undefined;
  code: number;
}

/**
 * One FIFO per session for everything it sends: Basic and Async sends, replies, broadcasts and the
 * close frame all leave in the order they were submitted. Entries are handed to the transport in one
 * batch per microtask, inside a corked socket, so a handler that sends several messages produces one
 * write. Completion is tracked only for sends somebody observes.
 */
export class OutboundQueue {
  private entries: Entry[] = [];
  private head = 0;
  private scheduled = false;
  private readonly transport: Transport;
  private readonly flushBound: () => void;
  /** Where sent messages and bytes are counted; set by the session's dispatcher. */
  counters: EndpointCounters = DISCARDED_COUNTERS;

  constructor(transport: Transport) {
    this.transport = transport;
    this.flushBound = () => this.flush();
  }

  /** Entries submitted but not yet handed to the transport. */
  get depth(): number {
    return this.entries.length - this.head;
  }

  push(
    kind: OutKind,
    data: string | Buffer | readonly Buffer[],
    fin: boolean,
    done: WriteCallback | undefined,
    pending: PendingSend | undefined,
    code = 0,
  ): void {
    this.entries.push({ kind, data, fin, done, pending, code });
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flushBound);
    }
  }

  /** Hands every queued entry to the transport now. */
  flush(): void {
    this.scheduled = false;
    const t = this.transport;
    const entries = this.entries;
    if (this.head === entries.length) return;
    if (t.isOpen) t.cork();
    const c = this.counters;
    for (let i = this.head; i < entries.length; i++) {
      const e = entries[i]!;
      entries[i] = undefined as never;
      this.head = i + 1;
      if (!t.isOpen) {
        if (e.kind !== OUT.CLOSE) c.outboundDropped++;
        settle(e, new SessionClosedError());
        continue;
      }
      const done = e.done ?? (e.pending !== undefined ? e.pending.writeCallback() : undefined);
      switch (e.kind) {
        case OUT.TEXT:
          if (e.fin) c.messagesOut++;
          c.bytesOut += typeof e.data === "string" ? Buffer.byteLength(e.data) : (e.data as Buffer).length;
          t.send(e.data as string | Buffer, false, e.fin, done);
          break;
        case OUT.BINARY:
          if (e.fin) c.messagesOut++;
          c.bytesOut += (e.data as Buffer).length;
          t.send(e.data as Buffer, true, e.fin, done);
          break;
        case OUT.PING:
          t.ping(e.data as Buffer, done);
          break;
        case OUT.PONG:
          t.pong(e.data as Buffer, done);
          break;
        case OUT.FRAMES:
          c.messagesOut++;
          for (const f of e.data as readonly Buffer[]) c.bytesOut += f.length;
          t.sendFrames(e.data as readonly Buffer[], done);
          break;
        case OUT.CLOSE:
          t.close(e.code, e.data as string);
          if (done) done();
          break;
      }
    }
    this.entries = [];
    this.head = 0;
  }
}

function settle(e: Entry, error: Error): void {
  if (e.done) e.done(error);
  else if (e.pending) e.pending.fail(error);
}

/** Maps a raw write error to the typed error users see. */
export function toSendError(error: Error): Error {
  if (error instanceof SessionClosedError || error instanceof TransportError) return error;
  if (/not open|CLOSING|CLOSED/.test(error.message)) return new SessionClosedError(undefined, error);
  return new TransportError(`The socket failed while sending: ${error.message}`, error);
}

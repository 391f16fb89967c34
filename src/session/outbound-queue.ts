import { QueueOverflowError, SessionClosedError } from "../errors.js";
import { DISCARDED_COUNTERS, type EndpointCounters } from "../metrics/metrics.js";
import type { Transport, WriteCallback } from "../transport/transport.js";
import { DeferredSends } from "./deferred-sends.js";
import { scheduleFlush } from "./flush-scheduler.js";
import { roomThisTurn, writeAtOnce, writeFrame } from "./frame-write.js";
import { inboundBytesOf } from "./inbound-text.js";
import { framesSize, OUT, settle, type Entry, type OutKind } from "./outbound-entry.js";
import { UNBOUNDED, type OutboundLimits, type OverflowCloser } from "./outbound-options.js";
import type { PendingSend } from "./pending-send.js";
import { fitsAfterEviction, OVERFLOW, overflowVerdict, queueFull } from "./overflow-policy.js";
import { unpinHeld } from "./held-entries.js";
import { unpinned } from "./retained-bytes.js";
import { SendDeadlines, type DeadlineHost } from "./send-deadlines.js";

/** Longest entry array a queue keeps between flushes. */
const MAX_KEPT_SLOTS = 16;
const CLOSED_BEFORE_SENT = "The session closed before the message was sent.";
// Shared by every queue that holds no entry array of its own, never written: most sends are handed over
// at once, so an idle session need not carry an empty array (T5).
const NO_ENTRIES: Array<Entry | null> = [];

/**
 * One FIFO per session for everything it sends: Basic and Async sends, replies, broadcasts and the
 * close frame all leave in the order they were submitted. Entries are handed to the transport in one
 * batch per microtask, inside a corked socket, so a handler that sends several messages produces one
 * write. While the session's dispatcher runs a batch of handlers, sends wait for the end of the batch
 * (`beginBatch`/`endBatch`) instead of scheduling anything. Completion is tracked only for sends
 * somebody observes.
 *
 * Backpressure: while the socket holds more than `highWaterMark` bytes that earlier event-loop turns
 * could not send, the queue keeps its entries and resumes on the socket's drain; what it keeps is
 * bounded by `maxMessages`/`maxBytes` and the overflow policy. The fast path (socket not backed up)
 * costs two buffered-byte reads per batch.
 */
export class OutboundQueue implements DeadlineHost<Entry> {
  private entries: Array<Entry | null> = NO_ENTRIES;
  private head = 0;
  /** Next free slot: the array is reused across flushes (truncating it each time cost 1.5% of an echo). */
  private tail = 0;
  /** Entries before this slot were checked for pinned allocations when the queue began holding them. */
  private checked = 0;
  private count = 0;
  private bytes = 0;
  private scheduled = false;
  private batching = false;
  private holding = false;
  private limits: OutboundLimits = UNBOUNDED;
  private closer: OverflowCloser | null = null;
  // Created on the first timed send (most queues never have one): a field each costs bytes per idle session (T5).
  private deadlines: SendDeadlines<Entry> | null = null;
  /** Other senders' messages held behind the session's open fragmented message (counted in `count`/`bytes` too). */
  private deferred: DeferredSends | null = null;
  private readonly transport: Transport;
  // Created on first use: most sessions never back up.
  private drainBound: (() => void) | null = null;
  /**
   * @internal At or over `maxMessages`/`maxBytes`: the dispatcher handles no more messages until it has
   * room (`whenRoom`). Set where entries are added, recomputed where they leave.
   */
  full = false;
  private roomWaiter: (() => void) | null = null;
  /** Where sent messages, bytes and drops are counted; set by the session's dispatcher. */
  counters: EndpointCounters = DISCARDED_COUNTERS;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /** @internal Applies bounds; `closer` (the session: no closure per connection) closes when the `"close"` policy fires. */
  configure(limits: OutboundLimits, closer: OverflowCloser): void {
    this.limits = limits;
    this.closer = closer;
  }

  /** Entries submitted but not yet handed to the transport. */
  get depth(): number {
    return this.count;
  }

  /** Bytes submitted but not yet handed to the transport. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** Whether the queue is holding entries until the socket drains. */
  get backedUp(): boolean {
    return this.holding;
  }

  /** Queues an entry; returns why it was refused (queue full), or undefined. */
  push(
    kind: OutKind,
    data: string | Buffer | readonly Buffer[],
    fin: boolean,
    done: WriteCallback | undefined,
    pending: PendingSend | undefined,
    code = 0,
    awaited = false,
    partial = false,
  ): Error | undefined {
    const size = kind === OUT.FRAMES ? framesSize(data as readonly Buffer[]) : (data as string | Buffer).length;
    const l = this.limits;
    if (kind <= OUT.BINARY || kind === OUT.FRAMES) {
      if (this.count >= l.maxMessages || this.bytes + size > l.maxBytes) {
        const refused = this.overflow(size, awaited, partial);
        if (refused !== undefined) {
          this.counters.outboundDropped++;
          return refused;
        }
      }
    }
    // The text being handled, sent on: its received bytes, not a second encoding of it.
    if (kind === OUT.TEXT && typeof data === "string") data = inboundBytesOf(data);
    // Nothing queued and no timed send: handed to the transport at once. It leaves in the same corked
    // write at the end of the turn, in the same order, without an entry and a flush pass (a fifth of a
    // small echo's framework cost).
    if (this.count === 0 && kind <= OUT.BINARY && (!awaited || done === undefined) && !partial && !this.holding && writeAtOnce(this.transport, this.limits, this.counters, kind === OUT.BINARY, data as string | Buffer, fin, done, pending)) {
      return undefined;
    }
    // Held for a slow reader: a small view of a large allocation is copied, so the queue pins only what
    // it counts (entries queued before the queue began holding are checked by hold()).
    if (this.holding && kind <= OUT.BINARY && typeof data !== "string") data = unpinned(data as Buffer);
    const e: Entry = { kind, data, fin, done, pending, code, size, partial, deadline: 0, gone: false };
    if (awaited && l.sendTimeout > 0 && done !== undefined) (this.deadlines ??= new SendDeadlines(this)).track(e, done, l.sendTimeout);
    if (this.entries === NO_ENTRIES) this.entries = [];
    this.entries[this.tail++] = e;
    this.count++;
    this.bytes += size;
    if (this.overBound()) this.full = true;
    if (!this.scheduled && !this.batching) {
      this.scheduled = true;
      scheduleFlush(this);
    }
    return undefined;
  }

  /**
   * Over the bounds, not counting broadcasts held behind an open fragmented message: `full` stops the
   * session handling messages, and a handler that ends its fragmented message in a later message must
   * still run, or the held broadcasts would wait for a last part that never comes.
   */
  private overBound(): boolean {
    const l = this.limits;
    const d = this.deferred;
    return d === null ? this.count >= l.maxMessages || this.bytes >= l.maxBytes : this.count - d.count >= l.maxMessages || this.bytes - d.bytes >= l.maxBytes;
  }

  /**
   * @internal Takes a whole message from another sender (a broadcast) while the session's own fragmented
   * message is open. It counts against the bounds at once and leaves after the last fragment
   * (`releaseDeferred`). When it does not fit it is refused under every policy ("close" still closes):
   * a fragmented message that never ends must not make the queue grow without limit.
   */
  defer(kind: OutKind, data: string | Buffer | readonly Buffer[]): Error | undefined {
    const size = kind === OUT.FRAMES ? framesSize(data as readonly Buffer[]) : (data as string | Buffer).length;
    const l = this.limits;
    if (this.count >= l.maxMessages || this.bytes + size > l.maxBytes) {
      const refused = this.overflow(size, false, false) ?? (this.count >= l.maxMessages || this.bytes + size > l.maxBytes ? queueFull(l) : undefined);
      if (refused !== undefined) {
        this.counters.outboundDropped++;
        return refused;
      }
    }
    (this.deferred ??= new DeferredSends()).add({ kind, data, fin: true, done: undefined, pending: undefined, code: 0, size, partial: false, deadline: 0, gone: false });
    this.count++;
    this.bytes += size;
    return undefined;
  }

  /** @internal The last fragment is queued: the deferred messages follow it, in the order they came. */
  releaseDeferred(): void {
    const held = this.deferred;
    if (held === null) return;
    this.deferred = null;
    if (this.overBound()) this.full = true;
    if (this.entries === NO_ENTRIES) this.entries = [];
    for (const e of held.entries) this.entries[this.tail++] = e;
    if (!this.scheduled && !this.batching) {
      this.scheduled = true;
      scheduleFlush(this);
    }
  }

  /** @internal The session's handlers start running: their sends wait for `endBatch`. */
  beginBatch(): void {
    this.batching = true;
  }

  /** @internal The handlers' batch ended: what they queued is handed to the transport now. */
  endBatch(): void {
    this.batching = false;
    if (this.count !== 0) this.flush();
  }

  /**
   * Hands queued entries to the transport now. The socket stays corked until the end of the event-loop
   * turn, so every write of the turn (replies to the other messages read in this turn, broadcasts)
   * leaves in one syscall. Not uncorking as soon as a batch is answered measured better for
   * request/response too (T2: 1.56x against 0.68x raw ws; T8 latency unchanged): the peer receives
   * replies in bursts and both sides wake up less per message.
   *
   * The queue holds its entries while bytes from earlier turns are still unsent beyond the high-water
   * mark: the reader is not keeping up. Bytes corked in this turn do not count, they leave at its end;
   * counting them let a session write one 64 KiB message per turn to a reader that kept up and parked
   * the rest until a drain and the next turn (T3, 64 KiB echo, full run: 0.86x raw ws before, 0.99x
   * after). One turn adds at most max(highWaterMark, maxBytes) to the socket.
   */
  flush(): void {
    this.scheduled = false;
    if (this.holding || this.count === 0) return;
    const t = this.transport;
    const entries = this.entries;
    // Cork first: the transport then tells what earlier turns left unsent (backlog, the sign of a slow
    // reader) apart from what this turn wrote and will write at its end. A closed transport fails every
    // entry below; room only matters while it is open.
    let room = 0;
    // Behind: earlier turns left bytes unsent, so what is written now stays in the socket for a while and
    // a small view of a large allocation is copied first (retained-bytes.ts). A socket that keeps up
    // sends this turn's bytes at its end: views are written as they are.
    let behind = false;
    if (t.isOpen) {
      t.cork();
      const backlog = t.backlog;
      room = roomThisTurn(this.limits, t, backlog);
      if (room === 0) return this.hold();
      behind = backlog !== 0;
    }
    const c = this.counters;
    // `entries` stays the queue's array unless abort() replaced it from a callback: then stop.
    for (let i = this.head; i < this.tail && this.entries === entries; i++) {
      const e = entries[i];
      entries[i] = null;
      this.head = i + 1;
      if (e === null || e.gone) continue;
      e.gone = true;
      this.count--;
      this.bytes -= e.size;
      if (!t.isOpen) {
        if (e.kind !== OUT.CLOSE) c.outboundDropped++;
        settle(e, new SessionClosedError());
        continue;
      }
      const done = e.done ?? (e.pending !== undefined ? e.pending.writeCallback(t) : undefined);
      switch (e.kind) {
        case OUT.TEXT:
        case OUT.BINARY:
          writeFrame(t, c, e.kind === OUT.BINARY, e.data as string | Buffer, e.fin, done, behind);
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
      room -= e.size;
      if (room <= 0 && this.count > 0 && t.isOpen) {
        this.hold();
        break;
      }
    }
    if (this.full) this.recheck();
    if (this.entries !== entries || this.holding) return;
    this.head = 0;
    this.tail = 0;
    this.checked = 0;
    // Slots stay for the next flush; a burst's long array does not.
    if (entries.length > MAX_KEPT_SLOTS) this.entries = NO_ENTRIES;
  }

  /**
   * @internal Calls `callback` once, from a later flush (or abort), when the queue is below its bounds
   * again, and returns true; false (and never calls it) when it has room now.
   */
  whenRoom(callback: () => void): boolean {
    if (!this.full) return false;
    this.roomWaiter = callback;
    return true;
  }

  /** Entries left: the queue may be below its bounds again, and whoever waits for room goes on. */
  private recheck(): void {
    this.full = this.overBound();
    if (this.full || this.roomWaiter === null) return;
    const waiter = this.roomWaiter;
    this.roomWaiter = null;
    waiter();
  }

  /**
   * @internal Fails everything still queued (the connection is gone, or the policy closed it). Without
   * `error`, a `SessionClosedError`, created only when something is queued: most connections close with
   * an empty queue, and an error object (its stack trace) per connection was a measurable share of a
   * handshake's cost (T7).
   */
  abort(error?: Error): void {
    if (this.deferred !== null) {
      this.counters.outboundDropped += this.deferred.count;
      this.deferred = null;
    }
    const entries = this.entries;
    this.entries = NO_ENTRIES;
    for (let i = this.head; i < this.tail; i++) {
      const e = entries[i];
      if (e !== null && e !== undefined && !e.gone) {
        e.gone = true;
        if (e.kind !== OUT.CLOSE) this.counters.outboundDropped++;
        settle(e, (error ??= new SessionClosedError(CLOSED_BEFORE_SENT)));
      }
    }
    this.head = 0;
    this.tail = 0;
    this.checked = 0;
    this.count = 0;
    this.bytes = 0;
    if (this.full) this.recheck();
    // Sends already handed to the socket settle through their write callbacks (Node fails them when the
    // socket is destroyed); the timer must not keep a closed session reachable until sendTimeout.
    if (this.deadlines !== null) this.deadlines.stop();
  }

  private hold(): void {
    if (this.head > 1024 && this.head * 2 > this.tail) {
      this.entries = this.entries.slice(this.head, this.tail);
      this.tail -= this.head;
      this.checked = this.checked > this.head ? this.checked - this.head : 0;
      this.head = 0;
    }
    // What is held stays until the reader catches up: no view in it may pin a larger allocation.
    unpinHeld(this.entries, this.head > this.checked ? this.head : this.checked, this.tail);
    this.checked = this.tail;
    this.holding = true;
    this.transport.onDrain((this.drainBound ??= () => {
      this.holding = false;
      this.flush();
    }));
  }

  private overflow(size: number, awaited: boolean, partial: boolean): Error | undefined {
    const l = this.limits;
    switch (overflowVerdict(l, this.count, this.bytes, size, awaited, partial)) {
      case OVERFLOW.ACCEPT:
        return undefined;
      case OVERFLOW.REFUSE:
        return queueFull(l);
      case OVERFLOW.EVICT:
        this.evict(size);
        return fitsAfterEviction(l, this.count, this.bytes, size) ? undefined : queueFull(l);
      case OVERFLOW.CLOSE: {
        const error = queueFull(l);
        this.abort(error);
        this.closer?.closeForOverflow(error.closeCode!, "outbound queue full: peer too slow");
        return error;
      }
    }
  }

  /** Discards the oldest whole messages until `size` more bytes and one more message fit. */
  private evict(size: number): void {
    const l = this.limits;
    const entries = this.entries;
    for (let i = this.head; i < this.tail && (this.count >= l.maxMessages || this.bytes + size > l.maxBytes); i++) {
      const e = entries[i];
      if (e === null || e === undefined || e.gone || e.partial || (e.kind > OUT.BINARY && e.kind !== OUT.FRAMES)) continue;
      e.gone = true;
      entries[i] = null;
      this.count--;
      this.bytes -= e.size;
      this.counters.outboundDropped++;
      settle(e, new QueueOverflowError(`The message was discarded to make room in a full outbound queue (drop-oldest; ${l.maxMessages} messages / ${l.maxBytes} bytes).`));
    }
    if (this.full) this.recheck();
  }

  /** @hidden DeadlineHost: a timed send expired; still queued, it is taken out so it is not sent after its caller was told it failed. */
  expireEntry(e: Entry): void {
    if (e.gone || e.partial) return;
    e.gone = true;
    this.count--;
    this.bytes -= e.size;
    this.counters.outboundDropped++;
  }

  /** @hidden DeadlineHost */
  expired(): void {
    if (this.full) this.recheck();
  }
}

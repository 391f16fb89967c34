import { QueueOverflowError, SessionClosedError, TransportError } from "../errors.js";
import type { Transport, TransportSink, WriteCallback } from "../transport/transport.js";
import { BufferPolicies, type BufferPolicy } from "./reconnect.js";

/** A write made while disconnected, kept for the next connection. */
interface Held {
  readonly data: string | Buffer | readonly Buffer[];
  readonly binary: boolean;
  readonly fin: boolean;
  readonly frames: boolean;
  readonly done: WriteCallback | undefined;
}

/** What the transport asks of the connection that owns it. */
export interface ClientTransportOwner {
  /** The session's close frame reached the transport (`session.close()` or a fatal error). */
  closeRequested(code: number, reason: string): void;
  /** The buffer overflowed under the `"close"` policy: end the session. */
  overflowed(error: QueueOverflowError): void;
  /** A message was dropped; the owner decides whether to log. */
  dropped(error: QueueOverflowError): void;
  /** Whether a lost connection may be followed by another (a reconnect policy is configured). */
  readonly mayReconnect: boolean;
}

const NOT_CONNECTED = "The client is reconnecting; control frames (ping, pong) are not buffered.";
const ENDED = "The connection closed before this message was sent; the session has ended.";

/**
 * The one transport a client session sees for its whole life. Each physical connection is attached in
 * turn; while none is, writes are held in a bounded FIFO and handed to the next connection first, in
 * order, before anything else it sends. Sitting below the session's outbound queue, it keeps the
 * session's single FIFO intact across reconnects.
 */
export class ClientTransport implements Transport {
  private current: Transport | null = null;
  private held: Held[] = [];
  private drainWaiters: Array<() => void> = [];
  private ended: Error | null = null;
  /** A fragment without `fin` went to the current connection. */
  private midMessage = false;
  /** The connection died in the middle of a fragmented message: drop its remaining fragments. */
  private cut = false;

  constructor(
    private readonly limit: number,
    private readonly policy: BufferPolicy,
    private readonly owner: ClientTransportOwner,
  ) {}

  /**
   * Open while the session may still send: connected, or waiting for a reconnect. Without reconnect it
   * closes with its connection, from the peer's close frame on (the close event comes a round trip later).
   */
  get isOpen(): boolean {
    return this.ended === null && (this.current === null || this.current.isOpen || this.owner.mayReconnect);
  }

  /** A physical connection is attached and open. */
  get connected(): boolean {
    return this.current !== null && this.current.isOpen;
  }

  /** Messages held for the next connection. */
  get heldCount(): number {
    return this.held.length;
  }

  get bufferedAmount(): number {
    return (this.current?.bufferedAmount ?? 0) + this.heldBytes();
  }

  /** Held messages count as backlog: no network has taken them. */
  get backlog(): number {
    return (this.current?.backlog ?? 0) + this.heldBytes();
  }

  private heldBytes(): number {
    let n = 0;
    for (const h of this.held) n += typeof h.data === "string" || Buffer.isBuffer(h.data) ? Buffer.byteLength(h.data) : h.data.reduce((a, b) => a + b.length, 0);
    return n;
  }

  /** The ws client checks text messages itself. */
  readonly textChecked = true;

  get compressed(): boolean {
    return this.current?.compressed ?? false;
  }

  /** Each connection's dispatcher binds here; events reach it through `ClientConnection`, which knows the current socket. */
  bind(_sink: TransportSink): void {}

  /** A new connection is open: what was held goes first, in order, in one corked write. */
  attach(transport: Transport): void {
    this.current = transport;
    this.midMessage = false;
    this.flushHeld(transport);
    // Whoever waited for a drain while disconnected now waits for the new connection's.
    const waiting = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiting) transport.onDrain(w);
  }

  private flushHeld(transport: Transport): void {
    if (this.held.length === 0) return;
    const held = this.held;
    this.held = [];
    transport.cork();
    for (const h of held) {
      if (h.frames) transport.sendFrames(h.data as readonly Buffer[], h.done);
      else {
        this.midMessage = !h.fin;
        transport.send(h.data as string | Buffer, h.binary, h.fin, h.done);
      }
    }
  }

  /** The current connection is gone; writes are held from now on. */
  detach(): void {
    this.current = null;
    if (this.midMessage) this.cut = true;
    this.midMessage = false;
  }

  /** No connection will follow: held writes and every later one fail with `error`. */
  end(error: Error): void {
    if (this.ended !== null) return;
    this.ended = error;
    this.drainWaiters = [];
    const held = this.held;
    this.held = [];
    for (const h of held) fail(h.done, error);
  }

  send(data: string | Buffer, binary: boolean, fin: boolean, done: WriteCallback | undefined): void {
    if (this.cut) {
      if (fin) this.cut = false;
      return fail(done, new TransportError("The connection was lost in the middle of a fragmented message; its remaining parts were not sent."));
    }
    const c = this.current;
    if (c !== null && c.isOpen) {
      this.midMessage = !fin;
      return c.send(data, binary, fin, done);
    }
    this.hold({ data, binary, fin, frames: false, done });
  }

  sendFrames(frames: readonly Buffer[], done: WriteCallback | undefined): void {
    const c = this.current;
    if (c !== null && c.isOpen) return c.sendFrames(frames, done);
    this.hold({ data: frames, binary: true, fin: true, frames: true, done });
  }

  ping(data: Buffer, done: WriteCallback | undefined): void {
    if (this.current !== null && this.current.isOpen) this.current.ping(data, done);
    else fail(done, this.closedError(NOT_CONNECTED));
  }

  pong(data: Buffer, done: WriteCallback | undefined): void {
    if (this.current !== null && this.current.isOpen) this.current.pong(data, done);
    else fail(done, this.closedError(NOT_CONNECTED));
  }

  close(code: number, reason: string): void {
    this.owner.closeRequested(code, reason);
  }

  /** Closes the current connection's socket (the owner decides what follows). */
  closeCurrent(code: number, reason: string): void {
    this.current?.close(code, reason);
  }

  terminate(): void {
    this.current?.terminate();
  }

  pause(): void {
    this.current?.pause();
  }

  resume(): void {
    this.current?.resume();
  }

  /** Disconnected: false, so sends queue in the session (their handles then learn when they really leave). */
  cork(): boolean {
    return this.current !== null && this.current.isOpen && this.current.cork();
  }

  whenFlushed(callback: WriteCallback): boolean {
    return this.current !== null && this.current.whenFlushed(callback);
  }

  onDrain(callback: () => void): void {
    if (this.current !== null && this.current.isOpen) this.current.onDrain(callback);
    else if (this.ended === null) this.drainWaiters.push(callback);
  }

  /**
   * Why a write finds no open connection. Without reconnect the session is over, even in the moment
   * between the peer's close frame and the close event that ends it.
   */
  private closedError(reconnecting: string): Error {
    return this.ended ?? new SessionClosedError(this.owner.mayReconnect ? reconnecting : ENDED);
  }

  private hold(h: Held): void {
    // Nothing is held for a connection that will not come: the session has ended, the buffer is not full.
    if (this.ended !== null || !this.owner.mayReconnect) return fail(h.done, this.closedError(""));
    if (this.held.length < this.limit) {
      this.held.push(h);
      return;
    }
    const error = new QueueOverflowError(
      `${this.held.length} messages are already held for the next connection (reconnect.bufferLimit); bufferPolicy "${this.policy}" applied.`,
    );
    switch (this.policy) {
      case BufferPolicies.DROP_NEWEST:
        fail(h.done, error);
        this.owner.dropped(error);
        return;
      case BufferPolicies.DROP_OLDEST: {
        // Drop a whole message, never a fragment of one: the next connection must see complete messages.
        let n = 0;
        while (n < this.held.length && !this.held[n]!.fin) n++;
        for (const old of this.held.splice(0, Math.min(n + 1, this.held.length))) fail(old.done, error);
        this.held.push(h);
        this.owner.dropped(error);
        return;
      }
      case BufferPolicies.CLOSE:
        this.held.push(h);
        this.owner.overflowed(error);
        return;
    }
  }
}

function fail(done: WriteCallback | undefined, error: Error): void {
  if (done) process.nextTick(done, error);
}

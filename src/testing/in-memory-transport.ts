import type { Transport, TransportSink, WriteCallback } from "../transport/transport.js";

/** One message as the peer would receive it. */
export type SentMessage =
  | { readonly type: "text"; readonly data: string }
  | { readonly type: "binary"; readonly data: Buffer }
  | { readonly type: "ping"; readonly data: Buffer }
  | { readonly type: "pong"; readonly data: Buffer };

/** @hidden A transport with no socket: records what is sent and lets a test play the peer. */
export class InMemoryTransport implements Transport {
  isOpen = true;
  bufferedAmount = 0;
  readonly compressed = false;
  /** A test's text is a JavaScript string, or bytes it chose to send as they are. */
  readonly textChecked = true;
  readonly sent: SentMessage[] = [];
  closeFrame: { code: number; reason: string } | undefined;
  paused = false;
  private sink: TransportSink | undefined;
  private fragments: Array<string | Buffer> = [];

  bind(sink: TransportSink): void {
    this.sink = sink;
  }

  send(data: string | Buffer, binary: boolean, fin: boolean, done: WriteCallback | undefined): void {
    if (!this.isOpen) return void (done && queueMicrotask(() => done(new Error("WebSocket is not open"))));
    this.fragments.push(data);
    if (fin) {
      const parts = this.fragments;
      this.fragments = [];
      if (binary) this.sent.push({ type: "binary", data: Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p))) });
      else this.sent.push({ type: "text", data: parts.map((p) => p.toString()).join("") });
    }
    if (done) queueMicrotask(() => done());
  }

  sendFrames(frames: readonly Buffer[], done: WriteCallback | undefined): void {
    const frame = Buffer.concat(frames);
    const opcode = frame[0]! & 0x0f;
    let len = frame[1]! & 0x7f;
    let offset = 2;
    if (len === 126) {
      len = frame.readUInt16BE(2);
      offset = 4;
    } else if (len === 127) {
      len = Number(frame.readBigUInt64BE(2));
      offset = 10;
    }
    const payload = frame.subarray(offset, offset + len);
    this.send(opcode === 1 ? payload.toString("utf8") : payload, opcode !== 1, true, done);
  }

  ping(data: Buffer, done: WriteCallback | undefined): void {
    this.sent.push({ type: "ping", data });
    if (done) queueMicrotask(() => done());
  }

  pong(data: Buffer, done: WriteCallback | undefined): void {
    this.sent.push({ type: "pong", data });
    if (done) queueMicrotask(() => done());
  }

  close(code: number, reason: string): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.closeFrame = { code, reason };
    // The simulated peer answers the close handshake at once.
    queueMicrotask(() => this.sink?.onClose(code, reason));
  }

  terminate(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    queueMicrotask(() => this.sink?.onClose(1006, ""));
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /** Nothing to coalesce: a send is complete when made. */
  cork(): boolean {
    return true;
  }

  /** Sends complete when made: nothing waits for the end of the turn. */
  whenFlushed(): boolean {
    return false;
  }

  /** Nothing is coalesced in memory: all of `bufferedAmount` counts as unsent. */
  get backlog(): number {
    return this.bufferedAmount;
  }

  private drainWaiters: Array<() => void> = [];

  onDrain(callback: () => void): void {
    this.drainWaiters.push(callback);
    if (this.bufferedAmount === 0) queueMicrotask(() => this.drain());
  }

  /** The peer has read everything: `bufferedAmount` drops to 0 and a waiting sender resumes. */
  drain(): void {
    this.bufferedAmount = 0;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  /** The peer sends a message. */
  peerSend(data: string | Buffer | ArrayBuffer | Uint8Array): void {
    if (!this.isOpen) throw new Error("The connection is closed; the peer cannot send.");
    if (typeof data === "string") this.sink?.onMessage(Buffer.from(data, "utf8"), false);
    else this.sink?.onMessage(Buffer.from(data as Uint8Array), true);
  }

  /** The peer answers a ping. */
  peerPong(data: Buffer): void {
    this.sink?.onPong(data);
  }

  /** The peer closes with a close frame (`code` 1005 means a frame without a status). */
  peerClose(code: number, reason: string): void {
    if (!this.isOpen && this.closeFrame === undefined) return;
    const wasOpen = this.isOpen;
    this.isOpen = false;
    if (wasOpen) this.sink?.onClose(code, reason);
  }

  /** The connection drops without a close frame. */
  peerDrop(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.sink?.onClose(1006, "");
  }
}

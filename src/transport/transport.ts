/**
 * The narrow port between the dispatcher and a socket. Production wraps `ws` (ws-transport.ts); the
 * testing kit fakes it in memory. Everything above this line is transport-agnostic.
 */

/** Completion of a write: no error when the data was handed to the socket and flushed. */
export type WriteCallback = (error?: Error) => void;

/** Events a transport delivers, in the order the socket produced them. */
export interface TransportSink {
  onMessage(data: Buffer, isBinary: boolean): void;
  onPong(data: Buffer): void;
  /** The connection is gone: after a close handshake (`code` from the peer) or abruptly (1006). */
  onClose(code: number, reason: string): void;
  onError(error: Error): void;
}

/** What the runtime needs from a connection. */
export interface Transport {
  /** True while frames can be sent. */
  readonly isOpen: boolean;
  /** Bytes handed to the socket but not yet written to the network. */
  readonly bufferedAmount: number;
  /**
   * The part of `bufferedAmount` written before the current event-loop turn's coalescing began: what
   * the network has not taken yet, the slow-reader signal. Equals `bufferedAmount` when not corked.
   */
  readonly backlog: number;
  /** Whether permessage-deflate was negotiated (pre-framed broadcast must not be used then). */
  readonly compressed: boolean;
  /**
   * Whether text messages reach the sink already checked as UTF-8. When false the sink checks them
   * (RFC 6455 §8.1: invalid text fails the connection with 1007), which lets it check while decoding.
   */
  readonly textChecked: boolean;
  bind(sink: TransportSink): void;
  /** Sends one frame (a whole message, or a fragment when `fin` is false). */
  send(data: string | Buffer, binary: boolean, fin: boolean, done: WriteCallback | undefined): void;
  /** Writes frames that were already built (pre-framed broadcast). */
  sendFrames(frames: readonly Buffer[], done: WriteCallback | undefined): void;
  ping(data: Buffer, done: WriteCallback | undefined): void;
  pong(data: Buffer, done: WriteCallback | undefined): void;
  /** Starts the close handshake; the sink's `onClose` follows. */
  close(code: number, reason: string): void;
  /** Destroys the connection at once. */
  terminate(): void;
  /** Stops reading from the socket (inbound backpressure). */
  pause(): void;
  resume(): void;
  /**
   * Coalesces this connection's writes until the end of the current event-loop turn. Returns whether they
   * are coalesced: false when coalescing is off, or nothing can be written now (no socket).
   */
  cork(): boolean;
  /**
   * While this turn's coalesced writes, or a large frame written at once, have not left yet: calls
   * `callback` once everything handed to the transport so far has been written to the socket, and
   * returns true. Otherwise returns false and never calls it (what was handed over has left).
   */
  whenFlushed(callback: WriteCallback): boolean;
  /**
   * Calls `callback` once when the bytes buffered now have been written out (outbound backpressure).
   * Not called if the connection closes first.
   */
  onDrain(callback: () => void): void;
}

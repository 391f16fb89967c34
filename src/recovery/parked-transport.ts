import type { Transport, TransportSink, WriteCallback } from "../transport/transport.js";

/**
 * The transport of a parked session: always open, never writes. Broadcasts submitted to the parked
 * session reach its recorder (which stores them for the client) and end here.
 */
class ParkedTransport implements Transport {
  readonly isOpen = true;
  readonly bufferedAmount = 0;
  readonly backlog = 0;
  readonly compressed = false;
  readonly textChecked = true;
  bind(_sink: TransportSink): void {}
  send(_data: string | Buffer, _binary: boolean, _fin: boolean, done: WriteCallback | undefined): void {
    done?.();
  }
  sendFrames(_frames: readonly Buffer[], done: WriteCallback | undefined): void {
    done?.();
  }
  ping(_data: Buffer, done: WriteCallback | undefined): void {
    done?.();
  }
  pong(_data: Buffer, done: WriteCallback | undefined): void {
    done?.();
  }
  close(): void {}
  terminate(): void {}
  pause(): void {}
  resume(): void {}
  cork(): boolean {
    return false;
  }
  whenFlushed(): boolean {
    return false;
  }
  onDrain(): void {}
}

/** One shared instance: it has no state. */
export const PARKED_TRANSPORT: Transport = new ParkedTransport();

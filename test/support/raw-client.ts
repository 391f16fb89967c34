/**
 * A WebSocket client on a bare TCP socket: it performs the upgrade, then writes whatever bytes a test
 * builds (see frames.ts) and records every frame the server sends until the connection ends.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { buildFrame, closePayload, FrameParser, OP, type ParsedFrame } from "./frames.js";

export interface RawClosed {
  /** Frames the server sent, in order. */
  readonly frames: readonly ParsedFrame[];
  /** Close code of the server's close frame, if it sent one. */
  readonly closeCode: number | undefined;
}

export class RawClient {
  readonly parser = new FrameParser();
  /** Resolves when the TCP connection is fully closed. */
  readonly closed: Promise<RawClosed>;
  private waiters: Array<() => void> = [];
  private ended = false;

  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.ended = true;
        this.wake();
        const close = this.parser.frames.find((f) => f.opcode === OP.CLOSE);
        resolve({ frames: this.parser.frames, closeCode: close === undefined ? undefined : close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1005 });
      });
    });
  }

  /** Opens a TCP connection and completes the upgrade to `path`. Rejects on a non-101 answer. */
  static connect(port: number, path: string, host = "127.0.0.1"): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.setNoDelay(true);
      socket.on("error", () => {});
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end === -1) return;
        socket.off("data", onData);
        socket.off("close", onEarlyClose);
        const status = head.subarray(0, head.indexOf("\r\n")).toString();
        if (!status.startsWith("HTTP/1.1 101")) {
          socket.destroy();
          return reject(new Error(`upgrade refused: ${status}`));
        }
        const client = new RawClient(socket);
        socket.on("data", (c: Buffer) => client.onData(c));
        const rest = head.subarray(end + 4);
        if (rest.length > 0) client.onData(rest);
        resolve(client);
      };
      const onEarlyClose = (): void => reject(new Error("connection closed during the upgrade"));
      socket.on("data", onData);
      socket.once("close", onEarlyClose);
      socket.once("connect", () => {
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
    });
  }

  private onData(chunk: Buffer): void {
    this.parser.push(chunk);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  get frames(): readonly ParsedFrame[] {
    return this.parser.frames;
  }

  /** Writes raw bytes. */
  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(bytes, () => resolve());
    });
  }

  /** Sends one masked text frame. */
  sendText(text: string): Promise<void> {
    return this.write(buildFrame({ opcode: OP.TEXT, payload: Buffer.from(text) }));
  }

  /** Sends a close frame. */
  sendClose(code = 1000, reason = ""): Promise<void> {
    return this.write(buildFrame({ opcode: OP.CLOSE, payload: closePayload(code, reason) }));
  }

  /** Resolves when `predicate` holds over the frames received, or the connection ends; rejects after `timeoutMs`. */
  until(predicate: (frames: readonly ParsedFrame[]) => boolean, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`condition not met within ${timeoutMs} ms (${this.frames.length} frames received)`)), timeoutMs);
      const check = (): void => {
        if (predicate(this.frames) || this.ended) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Half-closes (TCP FIN) after an optional close frame. */
  end(): void {
    this.socket.end();
  }

  /** Drops the connection with a TCP RST. */
  reset(): void {
    this.socket.resetAndDestroy();
  }
}

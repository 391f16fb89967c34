import type { Transport } from "../transport/transport.js";

const EMPTY = Buffer.alloc(0);

/**
 * Pings one connection every `interval` ms; when a pong does not arrive within `timeout` ms the
 * connection is declared dead (`onDead`), which drops it and lets the reconnect policy take over. A
 * half-open TCP connection otherwise looks alive for minutes.
 */
export class ClientHeartbeat {
  private readonly ticker: NodeJS.Timeout;
  private deadline: NodeJS.Timeout | null = null;

  constructor(
    private readonly transport: Transport,
    interval: number,
    private readonly timeout: number,
    private readonly onDead: () => void,
  ) {
    // Unref'd: a heartbeat alone must not keep a process alive.
    this.ticker = setInterval(() => this.tick(), interval).unref();
  }

  /** A pong arrived: the connection is alive. */
  pong(): void {
    if (this.deadline !== null) {
      clearTimeout(this.deadline);
      this.deadline = null;
    }
  }

  stop(): void {
    clearInterval(this.ticker);
    this.pong();
  }

  private tick(): void {
    if (this.deadline !== null || !this.transport.isOpen) return;
    this.transport.ping(EMPTY, undefined);
    this.deadline = setTimeout(() => {
      this.deadline = null;
      this.stop();
      this.onDead();
    }, this.timeout).unref();
  }
}

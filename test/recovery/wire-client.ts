import { once } from "node:events";
import WebSocket from "ws";
import { parseControl, type RecoveryControl } from "../../src/contract/recovery-wire.js";

/**
 * A recovery client written against the wire alone (docs/reliability.md, "Session recovery"): what a
 * browser client does. It asks with query parameters, reads the control message, counts every data
 * message as the next offset and keeps what it received.
 */
export class WireClient {
  readonly received: string[] = [];
  control: RecoveryControl | undefined;
  offset = 0;
  private ws: WebSocket | null = null;
  private waiters: Array<() => void> = [];

  constructor(private readonly base: string) {}

  /** Opens a connection: a new recoverable session, or a recovery of the last one. */
  async connect(recover: boolean, token = this.control?.token): Promise<RecoveryControl> {
    const url = new URL(this.base);
    url.searchParams.set("wse-recovery", recover ? (token ?? "") : "");
    if (recover) url.searchParams.set("wse-offset", String(this.offset));
    const ws = new WebSocket(url);
    this.ws = ws;
    let first = true;
    const control = new Promise<RecoveryControl>((resolve, reject) => {
      ws.on("message", (data: Buffer, binary: boolean) => {
        const text = binary ? `bin:${data.toString("hex")}` : data.toString("utf8");
        if (first) {
          first = false;
          const c = parseControl(text);
          if (c === undefined || c === "unsupported") return reject(new Error(`expected a control message, got ${text}`));
          this.control = c;
          this.offset = c.offset;
          return resolve(c);
        }
        this.received.push(text);
        this.offset++;
        for (const w of this.waiters.splice(0)) w();
      });
      ws.once("error", reject);
    });
    return control;
  }

  send(text: string): void {
    this.ws!.send(text);
  }

  /** Resets the TCP connection, as a network failure would: the server sees 1006. */
  async reset(): Promise<void> {
    const ws = this.ws!;
    const socket = (ws as unknown as { _socket: import("node:net").Socket })._socket;
    const closed = once(ws, "close");
    socket.resetAndDestroy();
    await closed;
  }

  async close(): Promise<void> {
    const ws = this.ws;
    if (ws === null || ws.readyState === WebSocket.CLOSED) return;
    const closed = once(ws, "close");
    ws.close();
    await closed;
  }

  /** Resolves once `n` messages were received in all (bounded by `ms`). */
  async receivedCount(n: number, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.received.length < n) {
      if (Date.now() > deadline) throw new Error(`received ${this.received.length} of ${n} messages`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
}

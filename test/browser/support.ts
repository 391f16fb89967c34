import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import type { BrowserClient, ClientState } from "../../src/browser/index.js";
import type { ContractShape } from "../../src/contract/index.js";

/**
 * A bare `ws` server for the protocol parts the framework's server does not speak on this branch
 * ($reply, $ping): it records every connection and every text it receives, in order.
 */
export class RawServer {
  readonly received: string[] = [];
  readonly sockets: WebSocket[] = [];
  private waiters: Array<() => void> = [];

  private constructor(private readonly wss: WebSocketServer) {
    wss.on("connection", (ws) => {
      this.sockets.push(ws);
      ws.on("message", (data) => {
        this.received.push(data.toString());
        this.wake();
      });
      this.wake();
    });
  }

  static async start(port = 0): Promise<RawServer> {
    const wss = new WebSocketServer({ port, host: "127.0.0.1" });
    await new Promise<void>((resolve, reject) => {
      wss.once("listening", resolve);
      wss.once("error", reject);
    });
    return new RawServer(wss);
  }

  get port(): number {
    return (this.wss.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Resolves when `ready()` holds, checked after every connection and message; rejects after `ms`. */
  until<T>(ready: () => T | undefined | false, ms = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`RawServer.until: not within ${ms} ms (received ${JSON.stringify(this.received)})`)), ms);
      const check = (): void => {
        const v = ready();
        if (v !== undefined && v !== false) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve(v);
        }
      };
      this.waiters.push(check);
      check();
    });
  }

  /** The `n`th connection (1-based), once it is open. */
  connection(n: number): Promise<WebSocket> {
    return this.until(() => this.sockets[n - 1]);
  }

  /** The `n`th received text (1-based). */
  message(n: number): Promise<string> {
    return this.until(() => this.received[n - 1]);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Stops listening and drops every connection without a close frame (a crashed server). */
  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** The next state of `client` that `match` accepts (the current one counts). */
export function stateOf<C extends ContractShape, S extends ClientState["state"]>(
  client: BrowserClient<C>,
  state: S,
  ms = 5000,
): Promise<Extract<ClientState, { state: S }>> {
  return new Promise((resolve, reject) => {
    if (client.state.state === state) return resolve(client.state as Extract<ClientState, { state: S }>);
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`client did not reach "${state}" within ${ms} ms (now ${JSON.stringify(client.state)})`));
    }, ms);
    const stop = client.onState((s) => {
      if (s.state !== state) return;
      clearTimeout(timer);
      stop();
      resolve(s as Extract<ClientState, { state: S }>);
    });
  });
}

/** Every state `client` passes through from now on. */
export function recordStates(client: BrowserClient<ContractShape>): ClientState[] {
  const seen: ClientState[] = [];
  client.onState((s) => seen.push(s));
  return seen;
}

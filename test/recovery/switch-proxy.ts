import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * A loopback TCP proxy in front of one or more nodes: clients connect to it, it pipes each connection
 * to the current target. `reset()` cuts every connection with a TCP RST (a network failure: the server
 * sees 1006, the client a dropped socket); `target` picks the node the next connections reach.
 */
export class SwitchProxy {
  target: number;
  private readonly pairs = new Set<[Socket, Socket]>();
  private constructor(
    private readonly server: Server,
    target: number,
  ) {
    this.target = target;
  }

  static async start(target: number): Promise<SwitchProxy> {
    const server = createServer();
    const proxy = new SwitchProxy(server, target);
    server.on("connection", (client) => proxy.pipe(client));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  get connections(): number {
    return this.pairs.size;
  }

  /** Resets every open connection on both sides. */
  reset(): void {
    for (const [a, b] of [...this.pairs]) {
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    this.pairs.clear();
  }

  /**
   * Stops passing on what the nodes send (the other direction keeps flowing): a node's writes still
   * succeed, so a recoverable session numbers messages its client never receives. A `reset()` ends it.
   */
  freeze(): void {
    for (const [client, upstream] of this.pairs) {
      upstream.unpipe(client);
      upstream.pause();
    }
  }

  async close(): Promise<void> {
    this.reset();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private pipe(client: Socket): void {
    const upstream = createConnection({ host: "127.0.0.1", port: this.target });
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const end = (): void => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * A loopback TCP proxy to a port, for cutting one process's connections (a network partition) while
 * others stay connected: {@link cut} resets every connection and refuses new ones until {@link restore}.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private open = true;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => {
      if (!proxy!.open) return void client.resetAndDestroy();
      const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        proxy!.sockets.add(a);
        a.on("error", () => b.destroy());
        a.on("close", () => {
          proxy!.sockets.delete(a);
          b.destroy();
        });
        a.pipe(b);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy = new TcpProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Resets every connection and refuses new ones. */
  cut(): void {
    this.open = false;
    for (const s of this.sockets) s.resetAndDestroy();
  }

  restore(): void {
    this.open = true;
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

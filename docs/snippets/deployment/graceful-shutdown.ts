import { createServer, type Server } from "node:http";
import { bootstrap, type ServerHandle } from "ws-endpoints";
import { LobbyEndpoint } from "../sessions/broadcast.js";

/** One port for everything: the WebSocket endpoints, a readiness probe and Prometheus metrics. */
export async function start(port: number, drainDelayMs = 5_000): Promise<{ http: Server; handle: ServerHandle; shutdown(): Promise<void> }> {
  let ready = false;
  const http = createServer((req, res) => {
    if (req.url === "/readyz") {
      res.writeHead(ready ? 200 : 503).end(ready ? "ready\n" : "draining\n");
    } else {
      res.writeHead(404).end();
    }
  });
  // Attached to our server: bootstrap adds its upgrade listener, we keep the plain HTTP routes.
  const handle = await bootstrap({ server: http, endpoints: [LobbyEndpoint], closeTimeout: 10_000 });
  await new Promise<void>((resolve) => http.listen(port, resolve));
  ready = true;

  async function shutdown(): Promise<void> {
    ready = false; // 1. fail the readiness probe: the load balancer stops sending new connections
    await new Promise((resolve) => setTimeout(resolve, drainDelayMs)); // 2. give it time to notice
    await handle.close(); // 3. 1001 to every client, @OnClose runs, bounded by closeTimeout
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
  return { http, handle, shutdown };
}

// In main.ts:
//   const app = await start(Number(process.env.PORT ?? 8080));
//   process.once("SIGTERM", () => void app.shutdown().then(() => process.exit(0)));

import { createServer } from "node:http";
import { bootstrap, type ServerHandle } from "ws-endpoints";
import { MeEndpoint } from "./token-auth.js";

export async function serveOnExistingServer(port: number): Promise<ServerHandle> {
  // bootstrap sets these on servers it creates; on your own server, set them yourself (slowloris).
  const http = createServer({ headersTimeout: 10_000, requestTimeout: 10_000, connectionsCheckingInterval: 1_000 });
  http.on("request", (_req, res) => res.end("hello over plain HTTP"));
  const app = await bootstrap({ server: http, endpoints: [MeEndpoint] });
  await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
  return app;
}

import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { bootstrap, type Logger, type ServerHandle } from "ws-endpoints";
import { RedisBroker, type RedisBrokerOptions } from "ws-endpoints/redis";
import { ClusterChatEndpoint } from "./cluster-chat-endpoint.js";

/** Options of {@link startClusterNode}. */
export interface ClusterNodeOptions {
  port?: number;
  host?: string;
  /** Redis URL (default redis://127.0.0.1:6379). */
  redis?: string;
  /** Shown in the page title, so two browser windows tell their nodes apart. */
  name?: string;
  logger?: Logger;
  /** Extra RedisBroker options (tests shorten the heartbeat and use their own key prefix). */
  broker?: Omit<RedisBrokerOptions, "redis" | "cluster">;
}

/** The single-node chat's page, reused as is: it speaks the same protocol. */
function chatPage(name: string): string {
  // Sources (examples/cluster-chat) and the build (dist/examples/cluster-chat) both sit below the repository root.
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "examples", "chat", "public", "index.html");
    if (existsSync(file)) return readFileSync(file, "utf8").replace(/<title>([^<]*)<\/title>/, `<title>$1 · node ${name}</title>`);
  }
  throw new Error("cluster-chat: examples/chat/public/index.html not found above " + __dirname);
}

/**
 * One node of the cluster chat: the page at `/`, the endpoint at `/chat/{user}`, a RedisBroker shared
 * with the other nodes. Start several on different ports against one Redis.
 */
export async function startClusterNode(options: ClusterNodeOptions = {}): Promise<ServerHandle> {
  const page = chatPage(options.name ?? "?");
  const http = createServer((req, res) => {
    const found = req.method === "GET" && /^\/(index\.html)?(\?.*)?$/.test(req.url ?? "/");
    res.writeHead(found ? 200 : 404, { "Content-Type": found ? "text/html; charset=utf-8" : "text/plain" });
    res.end(found ? page : "Not Found\n");
  });
  const broker = new RedisBroker({ ...options.broker, redis: options.redis ?? "redis://127.0.0.1:6379", logger: options.logger });
  const handle = await bootstrap({ server: http, endpoints: [ClusterChatEndpoint], broker, userId: { property: "user" }, logger: options.logger });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 8080, options.host, resolve);
  });
  return Object.freeze({
    ...handle,
    address: handle.address,
    close: async () => {
      await handle.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  });
}

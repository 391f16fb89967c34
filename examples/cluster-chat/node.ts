import { createServer } from "node:http";
import { bootstrap, type Logger, type ServerHandle } from "ws-endpoints";
import { RedisBroker, type RedisBrokerOptions } from "ws-endpoints/redis";
import { chatAssets } from "../chat/assets.js";
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

/**
 * One node of the cluster chat: the single-node chat's page at `/` (it speaks the same protocol), the
 * endpoint at `/chat`, a RedisBroker shared with the other nodes. Start several on different ports against one Redis.
 */
export async function startClusterNode(options: ClusterNodeOptions = {}): Promise<ServerHandle> {
  const assets = chatAssets(`node ${options.name ?? "?"}`);
  const http = createServer((req, res) => {
    if (assets(req, res)) return;
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("Not Found\n");
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

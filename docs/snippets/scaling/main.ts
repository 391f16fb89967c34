import "reflect-metadata";
import { bootstrap } from "ws-endpoints";
import { RedisBroker } from "ws-endpoints/redis";
import { TickerEndpoint } from "./ticker-endpoint.js";

export async function startNode(port: number, redisUrl = "redis://127.0.0.1:6379", host?: string) {
  const broker = new RedisBroker({
    redis: redisUrl,
    keyPrefix: "tickers", // one namespace per application sharing a Redis
    onError: (error) => console.warn(`cross-node delivery degraded: ${error.message}`),
  });
  return bootstrap({ endpoints: [TickerEndpoint], port, host, broker });
}

import { RedisBroker } from "ws-endpoints/redis";

// Broadcasts go through a Redis stream: a node that loses Redis for up to maxAge reads what it missed.
export const durable = new RedisBroker({
  redis: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  keyPrefix: "chat",
  delivery: "at-least-once",
  stream: { maxAge: 120_000, maxLength: 100_000 },
});

// Sentinel or Cluster: `published: true` only once a replica holds the message, so a fail-over cannot lose it.
export const durableSentinel = new RedisBroker({
  redis: {
    sentinels: [
      { host: "sentinel-1", port: 26379 },
      { host: "sentinel-2", port: 26379 },
      { host: "sentinel-3", port: 26379 },
    ],
    name: "mymaster",
  },
  delivery: "at-least-once",
  stream: { replicas: 1, replicaTimeout: 1000 },
});

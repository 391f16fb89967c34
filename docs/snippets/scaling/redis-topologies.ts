import { RedisBroker } from "ws-endpoints/redis";

// A single Redis, with a password and TLS:
export const single = new RedisBroker("rediss://:secret@redis.internal:6380/0");

// Sentinel: ioredis asks the sentinels for the current master of "mymaster" and follows fail-overs.
export const sentinel = new RedisBroker({
  redis: {
    sentinels: [
      { host: "sentinel-1", port: 26379 },
      { host: "sentinel-2", port: 26379 },
    ],
    name: "mymaster",
    password: "secret",
  },
});

// Redis Cluster: presence keys share one hash tag ({prefix}), so they live in one slot.
export const cluster = new RedisBroker({
  cluster: {
    nodes: [
      { host: "redis-1", port: 6379 },
      { host: "redis-2", port: 6379 },
    ],
    options: { redisOptions: { password: "secret" } },
  },
});

// Faster crash detection: a node that stops beating leaves presence after nodeTimeout.
export const quick = new RedisBroker({ heartbeatInterval: 1000, nodeTimeout: 3000 });

/**
 * `ws-endpoints/redis`: a {@link RedisBroker} that spans broadcasts, `sendToUser` and presence across
 * every server process sharing one Redis (standalone, Sentinel or Cluster, through ioredis).
 *
 * @example
 * ```ts
 * import { bootstrap } from "ws-endpoints";
 * import { RedisBroker } from "ws-endpoints/redis";
 *
 * await bootstrap({ port: 8080, broker: new RedisBroker("redis://127.0.0.1:6379") });
 * ```
 * @packageDocumentation
 */
export { RedisBroker } from "./redis-broker.js";
export type { RedisBrokerOptions, RedisBrokerStats, RedisStreamStats } from "./redis-options.js";
export type { RedisDelivery, StreamOptions } from "./stream-options.js";
export { REDIS_STORE_DEFAULTS, RedisRecoveryStore, type RedisRecoveryStoreOptions } from "./redis-recovery-store.js";

import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/index.js";
import { RedisRecoveryStore } from "../../src/redis/index.js";
import { RedisProcess } from "../e2e/support/redis-server.js";
import { redisServer } from "../support/system-packages.js";

// A recovery that asks the store while Redis dies must be refused (store-unavailable: a new session),
// not wait for Redis to come back: the handshake waits on that answer, and nothing else bounds it.

let redis: RedisProcess;
redisServer.guardEach();
beforeAll(async () => {
  if (redisServer.available) redis = await RedisProcess.start();
});
afterAll(async () => redis?.dispose());

describe("RedisRecoveryStore: a command in flight when Redis dies", () => {
  it("fails while Redis is still down instead of being sent again once it is back", async () => {
    const store = new RedisRecoveryStore({ redis: redis.url, keyPrefix: "inflight", logger: silentLogger });
    try {
      await store.ready?.();
      // Redis holds every command unanswered: the lookup is in flight when it dies.
      const admin = new Redis(redis.port, "127.0.0.1");
      await admin.call("CLIENT", "PAUSE", "20000", "ALL");
      admin.disconnect();
      const inFlight = store.peek!("0".repeat(64)).then(
        () => "answered",
        (error: Error) => `failed: ${error.message}`,
      );
      await new Promise((r) => setImmediate(r));
      await redis.kill();
      let timer: NodeJS.Timeout | undefined;
      const stillPending = new Promise<string>((r) => (timer = setTimeout(() => r("still pending"), 10_000)));
      try {
        expect(await Promise.race([inFlight, stillPending])).toMatch(/^failed: /);
      } finally {
        clearTimeout(timer);
        await redis.restart();
      }
    } finally {
      await store.close();
    }
  });
});

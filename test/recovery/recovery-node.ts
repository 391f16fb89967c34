/**
 * A recovery node in its own process, so a test can SIGKILL it. Run with
 * `node -r ./test/e2e/support/ts-register.cjs test/recovery/recovery-node.ts <redisUrl> <keyPrefix> <nodeId> [delivery]`;
 * prints `port=<n>` once listening. On "publish <n>" on stdin it broadcasts `k:0` … `k:<n-1>` to the room
 * "feed", a burst per timer turn, until it is killed.
 */
import "reflect-metadata";
import { bootstrap, OnOpen, ServerEndpoint, Session, silentLogger } from "../../src/index.js";
import { RedisBroker, RedisRecoveryStore } from "../../src/redis/index.js";

@ServerEndpoint({ path: "/chaos", recovery: { window: "10s", maxMessages: 5000, maxBytes: 4 * 1024 * 1024 } })
class ChaosEndpoint {
  @OnOpen() open(session: Session): void {
    if (!session.isRecovered()) session.join("feed");
  }
}

const [redis, keyPrefix, nodeId, delivery = "pub-sub"] = process.argv.slice(2);
void (async () => {
  const store = new RedisRecoveryStore({ redis, keyPrefix, logger: silentLogger });
  await store.ready();
  const app = await bootstrap({
    endpoints: [ChaosEndpoint], port: 0, host: "127.0.0.1", logger: silentLogger, nodeId,
    broker: new RedisBroker({ redis, keyPrefix, logger: silentLogger, delivery: delivery as "pub-sub" | "at-least-once" }), recoveryStore: store,
  });
  process.stdin.on("data", (line: Buffer) => {
    const m = /publish (\d+)/.exec(line.toString());
    if (m === null) return;
    const count = Number(m[1]);
    let i = 0;
    const burst = (): void => {
      for (let k = 0; k < 10 && i < count; k++) void app.broadcaster.broadcast(`k:${i++}`, { room: "feed" });
      if (i < count) setTimeout(burst, 1);
    };
    burst();
  });
  process.stdout.write(`port=${app.address.port}\n`);
})();

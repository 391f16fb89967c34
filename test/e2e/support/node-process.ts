/**
 * A cluster node in its own process, so a test can crash it with SIGKILL. Run with
 * `node -r ./test/e2e/support/ts-register.cjs test/e2e/support/node-process.ts <redisUrl> <keyPrefix> <nodeId>`;
 * prints `port=<n>` once listening.
 */
import { RedisBroker } from "../../../src/redis/index.js";
import { startNode } from "./cluster.js";

const [redis, keyPrefix, nodeId] = process.argv.slice(2);
void startNode(new RedisBroker({ redis, keyPrefix, heartbeatInterval: 100, nodeTimeout: 400 }), nodeId).then((handle) => {
  process.stdout.write(`port=${handle.address.port}\n`);
});

import type { ServerHandle } from "../../../src/index.js";
import { silentLogger } from "../../../src/index.js";
import { RedisBroker, type RedisBrokerOptions } from "../../../src/redis/index.js";
import type { TestClient } from "../../../src/testing/index.js";
import { broadcastThrough, type DeliveryFigures } from "../../support/redis-delivery.js";
import { connect, eventually, startNode } from "./cluster.js";
import { RedisProcess } from "./redis-server.js";
import { ClusterSetup, SentinelSetup } from "./redis-topology.js";

/** The delivery mode under test. */
export type Mode = "pub-sub" | "at-least-once";

/** How long and how much: the short runs of `npm test` and the full runs of `npm run test:reliability`. */
export interface ChaosSize {
  /** Broadcasting goes on this long after the failure is over (Redis back, fail-over done). */
  tailMs: number;
  /** Receivers on the other node. */
  receivers: number;
  /** Broadcasting starts this long before the failure. */
  leadMs: number;
}

export const SHORT: ChaosSize = { tailMs: 1500, receivers: 2, leadMs: 200 };
export const FULL: ChaosSize = { tailMs: 3000, receivers: 20, leadMs: 1000 };

/** A row of figures: the scenario, the mode and what the receivers got. */
export interface ChaosResult extends DeliveryFigures {
  scenario: string;
  mode: Mode;
  /** What `presence.count("r")` said on the publishing node afterwards (the receivers). */
  presence: number;
}

let prefixes = 0;

/**
 * Node A broadcasts numbered messages to room "r" while `failure` runs; receivers sit on node B. Both
 * nodes and the clients live in this process; Redis does not.
 */
async function run(scenario: string, mode: Mode, connection: Partial<RedisBrokerOptions>, size: ChaosSize, failure: () => Promise<void>): Promise<ChaosResult> {
  const keyPrefix = `chaos${process.pid}x${++prefixes}`;
  const broker = (): RedisBroker => new RedisBroker({ ...connection, keyPrefix, delivery: mode, heartbeatInterval: 200, nodeTimeout: 5000, logger: silentLogger });
  const handles: ServerHandle[] = [];
  const clients: TestClient[] = [];
  try {
    handles.push(await startNode(broker(), "a"), await startNode(broker(), "b"));
    for (let i = 0; i < size.receivers; i++) clients.push(await connect(handles[1]!, `u${i}`, ["r"]));
    const f = await broadcastThrough({
      from: handles[0]!,
      room: "r",
      receivers: clients,
      tailMs: size.tailMs,
      chaos: async () => {
        await new Promise((r) => setTimeout(r, size.leadMs));
        await failure();
      },
    });
    // Presence (Lua scripts on one hash-tagged slot) must answer again after the failure, on every topology.
    const presence = await eventually(() => handles[0]!.presence.count("r"), size.receivers, 10_000);
    return { scenario, mode, presence, ...f };
  } finally {
    await Promise.all(clients.map((c) => c.drop()));
    await Promise.all(handles.map((h) => h.close()));
  }
}

/** Redis SIGKILLed during broadcast and restarted 300 ms later (with its append-only file). */
export async function redisRestart(mode: Mode, size: ChaosSize): Promise<ChaosResult> {
  const redis = await RedisProcess.start({ persist: true });
  try {
    return await run("Redis restarted during broadcast", mode, { redis: redis.url }, size, async () => {
      await redis.kill();
      await new Promise((r) => setTimeout(r, 300));
      await redis.restart();
    });
  } finally {
    await redis.dispose();
  }
}

/** The Sentinel group's master SIGKILLed during broadcast; the sentinels promote the replica. */
export async function sentinelFailover(mode: Mode, size: ChaosSize): Promise<ChaosResult> {
  const setup = await SentinelSetup.start();
  try {
    const stream = mode === "at-least-once" ? { stream: { replicas: 1 } } : {};
    return await run("Sentinel fail-over during broadcast", mode, { redis: setup.redisOptions, ...stream }, size, () => setup.failOver());
  } finally {
    await setup.stop();
  }
}

/** The cluster master holding the keys SIGKILLed during broadcast; the cluster promotes its replica. */
export async function clusterFailover(mode: Mode, size: ChaosSize): Promise<ChaosResult> {
  const setup = await ClusterSetup.start();
  try {
    const keyHolder = await setup.masterOf(`{chaos${process.pid}x${prefixes + 1}}:stream`);
    const replica = await setup.addReplica(keyHolder);
    const stream = mode === "at-least-once" ? { stream: { replicas: 1 } } : {};
    return await run("Cluster fail-over during broadcast", mode, { cluster: { nodes: setup.nodes }, ...stream }, size, () => setup.failOver(keyHolder, replica));
  } finally {
    await setup.stop();
  }
}

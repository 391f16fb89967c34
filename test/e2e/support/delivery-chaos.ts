import type { ServerHandle } from "../../../src/index.js";
import { silentLogger } from "../../../src/index.js";
import { RedisBroker, type RedisBrokerOptions } from "../../../src/redis/index.js";
import type { TestClient } from "../../../src/testing/index.js";
import { broadcastThrough, type BroadcastProgress, type DeliveryFigures } from "../../support/redis-delivery.js";
import { connect, eventually, startNode } from "./cluster.js";
import { RedisProcess } from "./redis-server.js";
import { ClusterSetup, SentinelSetup } from "./redis-topology.js";

/** The delivery mode under test. */
export type Mode = "pub-sub" | "at-least-once";

/**
 * How much: the short runs of `npm test` and the full runs of `npm run test:reliability`. Counted in
 * messages, not milliseconds, so a loaded machine stretches the run instead of shrinking what it covers.
 */
export interface ChaosSize {
  /** Messages published before the failure starts. */
  lead: number;
  /** A Redis outage lasts until this many publishes were refused during it. */
  outage: number;
  /** Messages published after the failure is over (Redis back, fail-over done), before the fence. */
  tail: number;
  /** Receivers on the other node. */
  receivers: number;
  /** The Sentinel fail-over also restarts the old master and waits for the sentinels to make it a replica. */
  restartOldMaster: boolean;
}

export const SHORT: ChaosSize = { lead: 100, outage: 200, tail: 500, receivers: 2, restartOldMaster: false };
export const FULL: ChaosSize = { lead: 500, outage: 500, tail: 2000, receivers: 20, restartOldMaster: true };

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
async function run(scenario: string, mode: Mode, connection: Partial<RedisBrokerOptions>, size: ChaosSize, failure: (progress: BroadcastProgress) => Promise<void>): Promise<ChaosResult> {
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
      tail: size.tail,
      chaos: async (progress) => {
        await progress.after(size.lead, "sent");
        await failure(progress);
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

/**
 * Redis SIGKILLed during broadcast and restarted (with its append-only file) once `size.outage`
 * publishes were refused meanwhile.
 */
export async function redisRestart(mode: Mode, size: ChaosSize): Promise<ChaosResult> {
  const redis = await RedisProcess.start({ persist: true });
  try {
    return await run("Redis restarted during broadcast", mode, { redis: redis.url }, size, async (progress) => {
      await redis.kill();
      await progress.after(size.outage, "refused");
      await redis.restart();
    });
  } finally {
    await redis.dispose();
  }
}

/**
 * The Sentinel group's master SIGKILLed during broadcast; the sentinels promote one of its two replicas
 * (and with `size.restartOldMaster`, turn the old master, restarted, into a replica).
 */
export async function sentinelFailover(mode: Mode, size: ChaosSize): Promise<ChaosResult> {
  const setup = await SentinelSetup.start();
  try {
    const stream = mode === "at-least-once" ? { stream: { replicas: 1 } } : {};
    return await run("Sentinel fail-over during broadcast", mode, { redis: setup.redisOptions, ...stream }, size, () => setup.failOver({ restartOld: size.restartOldMaster }));
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

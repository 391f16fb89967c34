import { describe, expect, it } from "vitest";
import { redisServer } from "../support/system-packages.js";
import { clusterFailover, redisRestart, sentinelFailover, SHORT, type ChaosResult } from "../e2e/support/delivery-chaos.js";

// Short versions; test/reliability/redis-delivery.test.ts runs them longer, with more receivers, and
// records the figures. Each scenario starts its own redis-server processes.
redisServer.guardEach();

function report(r: ChaosResult): void {
  process.stdout.write(`${r.scenario} (${r.mode}): sent ${r.sent}, refused ${r.refused}, delivered ${r.delivered}, lost ${r.lost}, duplicated ${r.duplicated}, reordered ${r.reordered}, loss window ${r.lossWindowMs} ms\n`);
}

function expectNothingLost(r: ChaosResult, receivers: number): void {
  report(r);
  expect(r.sent).toBeGreaterThan(0);
  expect({ lost: r.lost, duplicated: r.duplicated, reordered: r.reordered, delivered: r.delivered, presence: r.presence }).toEqual({
    lost: 0,
    duplicated: 0,
    reordered: 0,
    delivered: r.sent * receivers,
    presence: receivers,
  });
}

describe("cross-node delivery through Redis failures (short)", { timeout: 60_000 }, () => {
  it('"at-least-once": Redis restarted during broadcast loses, duplicates and reorders nothing that was published', async () => {
    expectNothingLost(await redisRestart("at-least-once", SHORT), SHORT.receivers);
  });

  it('"pub-sub": Redis restarted during broadcast: the figures are reported, nothing duplicated or reordered', async () => {
    const r = await redisRestart("pub-sub", SHORT);
    report(r);
    expect(r.sent).toBeGreaterThan(0);
    expect(r.delivered + r.lost).toBe(r.sent * SHORT.receivers);
    expect({ duplicated: r.duplicated, reordered: r.reordered }).toEqual({ duplicated: 0, reordered: 0 });
  });

  it('"at-least-once": a Sentinel fail-over during broadcast loses, duplicates and reorders nothing that was published', async () => {
    expectNothingLost(await sentinelFailover("at-least-once", SHORT), SHORT.receivers);
  });

  it('"at-least-once": a Redis Cluster fail-over during broadcast loses, duplicates and reorders nothing that was published', async () => {
    expectNothingLost(await clusterFailover("at-least-once", SHORT), SHORT.receivers);
  });
});

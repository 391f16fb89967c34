import "reflect-metadata";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger, type ServerHandle } from "../../src/index.js";
import { RedisBroker } from "../../src/redis/index.js";
import { redisServer } from "../support/system-packages.js";
import { startNode } from "./support/cluster.js";
import { freePort, RedisProcess } from "./support/redis-server.js";
import { ask, startSentinel } from "./support/redis-topology.js";

// The Sentinel fail-over during broadcast is in test/chaos/redis-delivery.test.ts; this is the case the
// sentinels do not cover themselves: a master demoted by hand, whose clients stay connected.
redisServer.guardEach();
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe("RedisBroker through Sentinel", () => {
  it("a master demoted by hand (REPLICAOF, its clients still connected): the broker asks the sentinels again instead of writing into READONLY", async () => {
    const a = await RedisProcess.start();
    cleanup.push(() => a.dispose());
    const b = await RedisProcess.start({ args: ["--replicaof", "127.0.0.1", String(a.port)] });
    cleanup.push(() => b.dispose());
    const dir = mkdtempSync(join(tmpdir(), "wse-sentinel-"));
    const port = await freePort();
    const sentinel: ChildProcess = await startSentinel(dir, port, a.port, 1);
    cleanup.push(() => void sentinel.kill("SIGKILL"), () => rmSync(dir, { recursive: true, force: true }));
    const broker = new RedisBroker({ redis: { sentinels: [{ host: "127.0.0.1", port }], name: "mymaster" }, keyPrefix: "demoted", delivery: "at-least-once", logger: silentLogger });
    const h: ServerHandle = await startNode(broker, "a");
    cleanup.push(() => h.close());
    expect((await h.broadcaster.broadcast("before")).published).toBe(true);
    // Replication is asynchronous (CI once promoted B before "before" reached it): wait for B to hold it, so
    // that the count below says the broker wrote to B after the switch and not only that B copied A.
    const replicated = async (): Promise<number> => Number(await ask(b.port, (r) => r.call("XLEN", "{demoted}:stream")));
    for (let i = 0; i < 200 && (await replicated()) < 1; i++) await new Promise((r) => setTimeout(r, 25));
    expect(await replicated()).toBe(1);

    // A switch-over by hand: B becomes the master, A its replica, and the sentinel watches B. Nothing
    // disconnects the broker from A.
    await ask(b.port, (r) => r.call("REPLICAOF", "NO", "ONE"));
    await ask(a.port, (r) => r.call("REPLICAOF", "127.0.0.1", String(b.port)));
    await ask(port, async (r) => {
      await r.call("SENTINEL", "REMOVE", "mymaster");
      await r.call("SENTINEL", "MONITOR", "mymaster", "127.0.0.1", String(b.port), "1");
    });

    const published: boolean[] = [];
    for (let i = 0; i < 100 && published.at(-1) !== true; i++) {
      published.push((await h.broadcaster.broadcast(`after ${i}`)).published);
      if (published.at(-1) !== true) await new Promise((r) => setTimeout(r, 50));
    }
    // The first write after the demotion meets READONLY; once reconnected (to B, through the sentinel) they succeed.
    expect(published[0]).toBe(false);
    expect(published.at(-1)).toBe(true);
    expect(await replicated()).toBeGreaterThanOrEqual(2);
  });
});

import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrap, MemoryBroker, silentLogger } from "ws-endpoints";
import type { TestClient } from "ws-endpoints/testing";
import { openClient } from "../../../test/e2e/support/cluster.js";
import { RedisProcess } from "../../../test/e2e/support/redis-server.js";
import { fanOut } from "./fan-out.js";
import { startNode } from "./main.js";
import { cluster, quick, sentinel, single } from "./redis-topologies.js";
import { TickerEndpoint } from "./ticker-endpoint.js";

function watch(port: number, symbol: string): Promise<TestClient> {
  return openClient(`ws://127.0.0.1:${port}/tickers/${symbol}`);
}

describe("docs/scaling.md snippets", () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await RedisProcess.start();
  });
  afterAll(async () => redis?.kill());

  it("runs the ticker on two nodes sharing Redis", async () => {
    const a = await startNode(0, redis.url, "127.0.0.1");
    const b = await startNode(0, redis.url, "127.0.0.1");
    try {
      const ann = await watch(a.address.port, "ACME");
      expect(await ann.nextJson()).toEqual({ symbol: "ACME", watchers: 1 });
      const bob = await watch(b.address.port, "ACME");
      expect(await bob.nextJson()).toEqual({ symbol: "ACME", watchers: 2 });
      await bob.send("12.5");
      expect(await bob.nextText()).toBe("sent");
      expect(await ann.nextJson()).toEqual({ symbol: "ACME", price: "12.5" });
      expect(await fanOut(b, "ACME")).toBe(1);
      expect((await ann.next()).data).toEqual(Buffer.alloc(4096, 0x2a));
      await Promise.all([ann.drop(), bob.drop()]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("runs the ticker on two in-process nodes sharing a MemoryBroker", async () => {
    const broker = new MemoryBroker();
    const start = () => bootstrap({ endpoints: [TickerEndpoint], port: 0, host: "127.0.0.1", broker, logger: silentLogger });
    const [a, b] = [await start(), await start()];
    try {
      const ann = await watch(a.address.port, "XYZ");
      await ann.nextJson();
      const bob = await watch(b.address.port, "XYZ");
      expect(await bob.nextJson()).toEqual({ symbol: "XYZ", watchers: 2 });
      await ann.send("1");
      expect(await bob.nextJson()).toEqual({ symbol: "XYZ", price: "1" });
      await Promise.all([ann.drop(), bob.drop()]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("accepts every topology shown (constructing a broker does not connect)", () => {
    for (const broker of [single, sentinel, cluster, quick]) expect(broker.connected).toBe(false);
  });
});

import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerHandle } from "../../src/index.js";
import { RedisBroker } from "../../src/redis/index.js";
import type { TestClient } from "../../src/testing/index.js";
import { connect, expectNothingElse, startNode } from "./support/cluster.js";
import { RedisProcess } from "./support/redis-server.js";
import { redisServer } from "../support/system-packages.js";

// Issue 10's soak across two nodes sharing Redis. npm test runs a bounded size; the full run
// (`SOAK_REDIS=full npx vitest run test/e2e/redis-soak.test.ts`) is 1,000 clients × 10 publishers × 1,000 messages.
const FULL = process.env.SOAK_REDIS === "full";
const CLIENTS = FULL ? 1000 : 40;
const PUBLISHERS = 10; // half on each node
const MESSAGES = FULL ? 1000 : 50;

let redis: RedisProcess;
const nodes: ServerHandle[] = [];
const clients: TestClient[] = [];

redisServer.guardEach();
beforeAll(async () => {
  if (redisServer.available) redis = await RedisProcess.start();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.drop()));
  await Promise.all(nodes.map((n) => n.close()));
  await redis?.kill();
});

describe("soak across two nodes over Redis", () => {
  it(`${CLIENTS} clients on two nodes get every room broadcast of ${PUBLISHERS} publishers × ${MESSAGES} exactly once, in order per publisher`, async () => {
    const a = await startNode(new RedisBroker({ redis: redis.url, keyPrefix: "soak" }), "a");
    const b = await startNode(new RedisBroker({ redis: redis.url, keyPrefix: "soak" }), "b");
    nodes.push(a, b);
    for (let i = 0; i < CLIENTS; i += 20) {
      clients.push(...(await Promise.all(Array.from({ length: Math.min(20, CLIENTS - i) }, (_, j) => connect((i + j) % 2 ? b : a, `u${i + j}`, ["soak"])))));
    }
    const publishers = clients.slice(0, PUBLISHERS); // u0..u9: even ones on node a, odd ones on node b

    // Every client records, per publisher, the sequence numbers it received; replies to "say" are counted apart.
    const seen = clients.map(() => new Map<string, number[]>());
    const acks = clients.map(() => 0);
    const done = Promise.all(
      clients.map(async (c, i) => {
        // Publishers get the others' broadcasts plus one ack per own message; everyone else gets all broadcasts.
        let remaining = PUBLISHERS * MESSAGES;
        while (remaining > 0) {
          const m = JSON.parse(await c.nextText(FULL ? 300_000 : 30_000)) as { from?: string; text?: string; said?: boolean };
          remaining--;
          if (m.said !== undefined) {
            expect(m.said).toBe(true); // published to the other node
            acks[i]!++;
            continue;
          }
          const [pub, seq] = m.text!.split(":");
          const list = seen[i]!.get(pub!) ?? [];
          list.push(Number(seq));
          seen[i]!.set(pub!, list);
        }
      }),
    );
    await Promise.all(
      publishers.map(async (p, k) => {
        for (let s = 0; s < MESSAGES; s++) void p.send({ op: "say", text: `p${k}:${s}`, room: "soak" });
      }),
    );
    await done;

    const inOrder = Array.from({ length: MESSAGES }, (_, s) => s);
    let delivered = 0;
    seen.forEach((byPublisher, i) => {
      for (let k = 0; k < PUBLISHERS; k++) {
        const got = byPublisher.get(`p${k}`) ?? [];
        if (k === i) expect(got).toEqual([]); // a publisher is excluded from its own broadcast
        else {
          expect(got.length, `client u${i} from p${k}`).toBe(MESSAGES);
          expect(got).toEqual(inOrder); // exactly once and in publisher order: no loss, no duplicate, no reorder
          delivered += got.length;
        }
      }
    });
    expect(acks.slice(0, PUBLISHERS)).toEqual(publishers.map(() => MESSAGES));
    expect(delivered).toBe((CLIENTS - 1) * PUBLISHERS * MESSAGES);
    // Nothing else is pending anywhere: the next message every client gets is a fresh fence.
    expect(new Set(await expectNothingElse(a, clients))).toEqual(new Set(["fence"]));
  }, FULL ? 900_000 : 120_000);
});

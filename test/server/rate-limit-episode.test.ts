import "reflect-metadata";
import { afterEach, describe, expect, it, vi } from "vitest";
import { OnMessage, ServerEndpoint } from "../../src/index.js";
import { EndpointHarness, type HarnessConnection } from "../../src/testing/index.js";

/** 10 messages a second, one at a time: each 100 ms admits one message. */
@ServerEndpoint({ path: "/limited", rateLimit: { messagesPerSecond: 10, burst: 1, policy: "drop" } })
class Limited {
  @OnMessage() m(t: string) {
    return `ok ${t}`;
  }
}

let clock = 1_000_000;
afterEach(() => {
  vi.restoreAllMocks();
});

const notices = (c: HarnessConnection): number => c.sent.filter((m) => m.type === "text" && m.data.includes("WSE_ERR_RATE_LIMITED")).length;
const replies = (c: HarnessConnection): number => c.sent.filter((m) => m.type === "text" && m.data.startsWith("ok ")).length;

/** `rounds` times: 100 ms pass (one token), then the peer sends 5 messages. */
async function flood(c: HarnessConnection, rounds: number): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    clock += 100;
    for (let i = 0; i < 5; i++) await c.receive(`${r}.${i}`);
  }
}

describe('rate limit "drop": one notice per episode', () => {
  it("a sustained flood gets one notice, not one per message the refill admits; a flood after a quiet spell gets a new one", async () => {
    vi.spyOn(performance, "now").mockImplementation(() => clock);
    const conn = await EndpointHarness.create(Limited).connect();
    await flood(conn, 20);
    // One message admitted per 100 ms (plus the first), four refused each time.
    expect(replies(conn)).toBe(20);
    expect(notices(conn)).toBe(1);
    clock += 2000;
    await flood(conn, 5);
    expect(replies(conn)).toBe(25);
    expect(notices(conn)).toBe(2);
  });
});

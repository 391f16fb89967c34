import { describe, expect, it } from "vitest";
import { durable, durableSentinel } from "./at-least-once.js";

describe("docs/scaling.md at-least-once snippet", () => {
  it("builds both brokers in the at-least-once mode with the bounds shown (constructing does not connect)", () => {
    expect(durable.connected).toBe(false);
    expect(durable.stats.delivery).toBe("at-least-once");
    expect(durable.stats.stream?.limits).toMatchObject({ maxAge: 120_000, maxLength: 100_000, replicas: 0 });
    expect(durableSentinel.stats.stream?.limits).toMatchObject({ replicas: 1, replicaTimeout: 1000 });
  });
});

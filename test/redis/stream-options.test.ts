import { describe, expect, it } from "vitest";
import { InvalidOptionsError } from "../../src/errors.js";
import { RedisBroker } from "../../src/redis/index.js";

// Constructing a RedisBroker does not connect, so its options are checked without a Redis.
describe('RedisBroker options of delivery: "at-least-once"', () => {
  it.each([
    [{ delivery: "exactly-once" }, 'delivery must be one of "pub-sub", "at-least-once"; got "exactly-once"'],
    [{ stream: { maxLength: 1000 } }, 'stream applies only to delivery: "at-least-once"'],
    [{ delivery: "at-least-once", stream: { maxLength: 10 } }, "stream.maxLength must be an integer of at least 100; got 10"],
    [{ delivery: "at-least-once", stream: { maxAge: 0 } }, "stream.maxAge must be a positive integer of ms; got 0"],
    [{ delivery: "at-least-once", stream: { replicas: -1 } }, "stream.replicas must be an integer from 0 to 16; got -1"],
    [{ delivery: "at-least-once", stream: { maxlen: 5 } }, 'unknown option "stream.maxlen"'],
  ])("rejects invalid options %j", (options, message) => {
    expect(() => new RedisBroker(options as never)).toThrow(InvalidOptionsError);
    expect(() => new RedisBroker(options as never)).toThrow(message);
  });

  it("resolves the documented defaults, and none in the pub-sub mode", () => {
    expect(new RedisBroker({ delivery: "at-least-once" }).stats.stream?.limits).toEqual({ maxLength: 100_000, maxAge: 120_000, dedupeBytes: 1024 * 1024, replicas: 0, replicaTimeout: 1000, batch: 512 });
    expect(new RedisBroker().stats).toMatchObject({ delivery: "pub-sub", stream: undefined });
  });
});

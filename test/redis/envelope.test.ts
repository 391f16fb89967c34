import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BrokerMessageKinds, PayloadKinds, type BrokerMessage } from "../../src/broker/broker.js";
import { decodeEnvelope, encodeEnvelope } from "../../src/redis/envelope.js";

const payload = fc.record({
  kind: fc.constantFrom(PayloadKinds.TEXT, PayloadKinds.BINARY, PayloadKinds.OBJECT),
  data: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
});
const message: fc.Arbitrary<BrokerMessage> = fc.oneof(
  fc.record({
    kind: fc.constant(BrokerMessageKinds.BROADCAST),
    room: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
    except: fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }),
    payload,
  }),
  fc.record({ kind: fc.constant(BrokerMessageKinds.TO_USER), userId: fc.string({ minLength: 1, maxLength: 40 }), payload }),
);

describe("Redis envelope", () => {
  it("round-trips every message with its origin, payload bytes untouched", () => {
    fc.assert(
      fc.property(fc.uuid(), message, (origin, m) => {
        const decoded = decodeEnvelope(encodeEnvelope(origin, m));
        expect(decoded.origin).toBe(origin);
        expect(decoded.message).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ["an empty buffer", Buffer.alloc(0), "not a ws-endpoints envelope"],
    ["another version", Buffer.from([2, 1, 0, 0]), "not a ws-endpoints envelope (version 2)"],
    ["an unknown kind", Buffer.from([1, 9, 0, 0, 0, 0]), "unknown message kind 9"],
    ["a truncated origin", Buffer.from([1, 1, 0, 0, 0, 9, 65]), "truncated envelope"],
  ])("rejects %s", (_label, buf, message) => {
    expect(() => decodeEnvelope(buf)).toThrow(RangeError);
    expect(() => decodeEnvelope(buf)).toThrow(message);
  });

  it("never throws anything but RangeError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeEnvelope(Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

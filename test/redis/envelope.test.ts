import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BrokerMessageKinds, PayloadKinds, type BrokerMessage } from "../../src/broker/broker.js";
import { decodeEnvelope, encodeEnvelope } from "../../src/redis/envelope.js";

const payload = fc.record({
  kind: fc.constantFrom(PayloadKinds.TEXT, PayloadKinds.BINARY, PayloadKinds.OBJECT),
  data: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
});
// A W3C traceparent rides along only when tracing is on (issue #22): with and without it.
const traceparent = fc.option(
  fc.tuple(fc.stringMatching(/^[0-9a-f]{32}$/), fc.stringMatching(/^[0-9a-f]{16}$/)).map(([t, s]) => `00-${t}-${s}-01`),
  { nil: undefined },
);
// A message id (`origin:sequence`) rides along from nodes with session recovery (issue #21): with and without it.
const messageId = fc.option(fc.tuple(fc.stringMatching(/^[0-9a-f]{12}$/), fc.nat()).map(([o, n]) => `${o}:${n.toString(36)}`), { nil: undefined });
const withTrace = <M extends BrokerMessage>(m: M, [tp, id]: [string | undefined, string | undefined]): M => {
  let out: M = m;
  if (tp !== undefined) out = { ...out, traceparent: tp };
  if (id !== undefined) out = { ...out, id };
  return out;
};
const message: fc.Arbitrary<BrokerMessage> = fc.oneof(
  fc
    .tuple(
      fc.record({
        kind: fc.constant(BrokerMessageKinds.BROADCAST),
        room: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
        except: fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }),
        payload,
      }),
      traceparent,
      messageId,
    )
    .map(([m, tp, id]) => withTrace(m, [tp, id])),
  fc
    .tuple(fc.record({ kind: fc.constant(BrokerMessageKinds.TO_USER), userId: fc.string({ minLength: 1, maxLength: 40 }), payload }), traceparent, messageId)
    .map(([m, tp, id]) => withTrace(m, [tp, id])),
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

  it("adds nothing to a message without a trace: the header is what it was before tracing existed", () => {
    const m: BrokerMessage = { kind: BrokerMessageKinds.TO_USER, userId: "u", payload: { kind: PayloadKinds.TEXT, data: Buffer.from("x") } };
    const plain = encodeEnvelope("o", m);
    expect(plain[3]).toBe(0);
    expect(plain.length).toBe(4 + 3 + 3 + 1);
    const traced = encodeEnvelope("o", { ...m, traceparent: `00-${"a".repeat(32)}-${"b".repeat(16)}-01` });
    expect([traced[3], traced.length]).toEqual([2, plain.length + 2 + 55]);
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

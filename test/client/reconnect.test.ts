import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/browser/backoff.js";
import { backoffSchedule, resolveReconnect, RECONNECT_DEFAULTS, shouldReconnect, type DisconnectCause } from "../../src/client/reconnect.js";
import { InvalidOptionsError } from "../../src/errors.js";

describe("backoff schedule", () => {
  it("doubles from initialDelay and is capped at maxDelay when jitter is 0", () => {
    expect(backoffSchedule({ initialDelay: 100, maxDelay: 1000, jitter: 0 }, 7)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it("uses the multiplier", () => {
    expect(backoffSchedule({ initialDelay: 10, maxDelay: 10_000, multiplier: 3, jitter: 0 }, 5)).toEqual([10, 30, 90, 270, 810]);
  });

  it("spreads each delay over [ceiling * (1 - jitter), ceiling]: random 0 gives the ceiling, random near 1 the floor", () => {
    const policy = { initialDelay: 100, maxDelay: 1000, jitter: 0.5 };
    expect(backoffSchedule(policy, 6, () => 0)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffSchedule(policy, 6, () => 0.999999)).toEqual([50, 100, 200, 400, 500, 500]);
  });

  it("never exceeds maxDelay and stays within the jitter band (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (initialDelay, extra, multiplier, jitter, attempt, random) => {
          const policy = { initialDelay, maxDelay: initialDelay + extra, multiplier, jitter };
          const d = backoffDelay(attempt, policy, random);
          const ceiling = Math.min(policy.maxDelay, initialDelay * multiplier ** (attempt - 1));
          expect(d).toBeLessThanOrEqual(policy.maxDelay);
          expect(d).toBeGreaterThanOrEqual(Math.floor(ceiling * (1 - jitter)));
          expect(d).toBeLessThanOrEqual(Math.ceil(ceiling));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("has the documented defaults: 250 ms doubling to 30 s with half jitter, unlimited attempts", () => {
    expect(backoffSchedule({}, 9, () => 0)).toEqual([250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(RECONNECT_DEFAULTS.maxAttempts).toBe(Number.POSITIVE_INFINITY);
  });

  it("rejects invalid options with InvalidOptionsError naming each field", () => {
    const call = () => backoffSchedule({ initialDelay: -1, jitter: 2, multiplier: 0.5, bogus: 1 } as never, 3);
    expect(call).toThrow(InvalidOptionsError);
    expect(call).toThrow(/reconnect\.initialDelay.*reconnect\.multiplier.*reconnect\.jitter/s);
    expect(call).toThrow(/unknown option "reconnect.bogus"/);
  });

  it("rejects initialDelay above maxDelay", () => {
    expect(() => backoffSchedule({ initialDelay: 5000, maxDelay: 1000 }, 1)).toThrow(/initialDelay \(5000\) must not exceed reconnect\.maxDelay \(1000\)/);
  });
});

describe("shouldReconnect", () => {
  const defaults = { onNormalClose: false, onRefusal: false };
  it.each<[string, DisconnectCause, boolean]>([
    ["normal close 1000", { kind: "closed", code: 1000 }, false],
    ["going away 1001 (server restart)", { kind: "closed", code: 1001 }, true],
    ["abnormal 1006 (dropped, heartbeat)", { kind: "closed", code: 1006 }, true],
    ["internal error 1011", { kind: "closed", code: 1011 }, true],
    ["application code 4000", { kind: "closed", code: 4000 }, true],
    ["refused 401", { kind: "refused", status: 401 }, false],
    ["refused 404", { kind: "refused", status: 404 }, false],
    ["refused 503", { kind: "refused", status: 503 }, true],
    ["network failure", { kind: "failed" }, true],
  ])("%s → %s with the defaults", (_name, cause, expected) => {
    expect(shouldReconnect(cause, defaults)).toBe(expected);
  });

  it("reconnects after a normal close when onNormalClose is set", () => {
    expect(shouldReconnect({ kind: "closed", code: 1000 }, { ...defaults, onNormalClose: true })).toBe(true);
  });

  it("retries a 4xx refusal when onRefusal is set", () => {
    expect(shouldReconnect({ kind: "refused", status: 401 }, { ...defaults, onRefusal: true })).toBe(true);
  });
});

describe("resolveReconnect", () => {
  it("returns a frozen policy with defaults filled in", () => {
    const problems: string[] = [];
    const p = resolveReconnect({ maxAttempts: 3, instance: "fresh" }, problems);
    expect(problems).toEqual([]);
    expect(Object.isFrozen(p)).toBe(true);
    expect(p).toMatchObject({ maxAttempts: 3, instance: "fresh", bufferLimit: 1024, bufferPolicy: "drop-newest", initialDelay: 250 });
  });

  it.each([
    [{ maxAttempts: 0 }, /reconnect\.maxAttempts must be a positive integer/],
    [{ bufferLimit: 1.5 }, /reconnect\.bufferLimit must be a non-negative integer/],
    [{ bufferPolicy: "await" }, /reconnect\.bufferPolicy must be one of "drop-newest", "drop-oldest", "close"; got "await"/],
    [{ instance: "new" }, /reconnect\.instance must be one of "same", "fresh"/],
    [{ onReconnect: 1 }, /reconnect\.onReconnect must be a function/],
  ])("reports %j", (options, message) => {
    const problems: string[] = [];
    resolveReconnect(options as never, problems);
    expect(problems.join("; ")).toMatch(message);
  });
});

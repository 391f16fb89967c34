import { describe, expect, it } from "vitest";
import { CloseCodes, CloseReason } from "../src/index.js";
import { isSendableCloseCode, truncateUtf8 } from "../src/close-reason.js";
import fc from "fast-check";

describe("CloseReason", () => {
  it("names the standard codes", () => {
    expect(new CloseReason(CloseCodes.TOO_BIG, "big").getCloseCodeName()).toBe("TOO_BIG");
    expect(new CloseReason(4001).getCloseCodeName()).toBeUndefined();
    expect(String(new CloseReason(1000, "bye"))).toBe("CloseReason[1000 NORMAL_CLOSURE: bye]");
  });

  it.each([999, 5000, 1000.5, Number.NaN])("rejects code %s with a RangeError", (code) => {
    expect(() => new CloseReason(code)).toThrow(RangeError);
  });

  it("truncates the reason to 123 UTF-8 bytes without splitting a character", () => {
    const r = new CloseReason(1000, "é".repeat(100)); // 200 bytes
    expect(Buffer.byteLength(r.getReasonPhrase())).toBe(122);
    expect(r.getReasonPhrase()).toBe("é".repeat(61));
  });

  it("truncation never yields more than the limit or a broken character (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), fc.integer({ min: 0, max: 130 }), (text, max) => {
        const cut = truncateUtf8(text, max);
        expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(max);
        expect(text.startsWith(cut)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    [1000, true],
    [1004, false],
    [1005, false],
    [1006, false],
    [1011, true],
    [1015, false],
    [2999, false],
    [3000, true],
    [4999, true],
  ])("code %i sendable: %s", (code, sendable) => {
    expect(isSendableCloseCode(code)).toBe(sendable);
  });
});

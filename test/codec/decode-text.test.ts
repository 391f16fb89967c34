import { describe, expect, it } from "vitest";
import { decodeText } from "../../src/codec/payload.js";

// Node's EXTERN_APEX: from this length decodeText takes ASCII text through a Latin-1 (external string) decode.
const APEX = 0xfbee9;

function ascii(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = 0x20 + (i % 95);
  return b;
}

describe("decodeText", () => {
  it.each([0, 32, APEX - 1, APEX, 1 << 20, (1 << 20) + 3])("ASCII of %i bytes decodes to the same string as UTF-8", (n) => {
    const b = ascii(n);
    expect(decodeText(b)).toBe(b.toString("utf8"));
  });

  it("large text with a multi-byte character is decoded as UTF-8, not Latin-1", () => {
    const b = Buffer.concat([ascii(1 << 20), Buffer.from("é€😀", "utf8")]);
    const text = decodeText(b);
    expect(text).toBe(b.toString("utf8"));
    expect(text.endsWith("é€😀")).toBe(true);
  });

  it("large text with an invalid byte still decodes with U+FFFD, which the UTF-8 check looks for", () => {
    const b = Buffer.concat([ascii(1 << 20), Buffer.from([0xff])]);
    expect(decodeText(b).endsWith("\uFFFD")).toBe(true);
  });

  it("a view into a larger buffer decodes only its own bytes", () => {
    const whole = Buffer.concat([Buffer.from("é"), ascii(APEX + 10), Buffer.from("é")]);
    const view = whole.subarray(2, 2 + APEX + 10);
    expect(decodeText(view)).toBe(ascii(APEX + 10).toString("utf8"));
  });
});

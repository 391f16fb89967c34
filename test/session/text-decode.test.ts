import { describe, expect, it } from "vitest";
import { decodeText, decodeValidText } from "../../src/session/text-decode.js";

// From 128 KiB, text is decoded in 64 KiB pieces joined into one rope (payload.ts): the pieces must never
// cut a character, wherever the piece boundaries fall.
const PIECES_FROM = 128 * 1024;
const PIECE = 64 * 1024;

function ascii(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = 0x20 + (i % 95);
  return b;
}

describe("decodeText", () => {
  it.each([0, 32, 4095, 4096, PIECES_FROM - 1, PIECES_FROM, 1 << 20, (1 << 20) + 3])("ASCII of %i bytes decodes to the same string as UTF-8", (n) => {
    const b = ascii(n);
    expect(decodeText(b)).toBe(b.toString("utf8"));
  });

  it("large text with a multi-byte character is decoded as UTF-8, not Latin-1", () => {
    const b = Buffer.concat([ascii(1 << 20), Buffer.from("é€😀", "utf8")]);
    const text = decodeText(b);
    expect(text).toBe(b.toString("utf8"));
    expect(text.endsWith("é€😀")).toBe(true);
  });

  it.each([1, 2, 3, 4])("large text of %i-byte characters across every piece boundary decodes as one UTF-8 decode does", (width) => {
    const char = ["a", "é", "€", "😀"][width - 1]!;
    // Shifted by 0..3 bytes, so each boundary falls on every byte of a character once.
    for (let shift = 0; shift < 4; shift++) {
      const b = Buffer.concat([ascii(shift), Buffer.from(char.repeat(Math.ceil((3 * PIECE) / width)), "utf8"), ascii(5)]);
      expect(decodeText(b)).toBe(b.toString("utf8"));
      expect(decodeValidText(b)).toBe(b.toString("utf8"));
    }
  });

  it("large text with an invalid byte still decodes with U+FFFD, which the UTF-8 check looks for", () => {
    const b = Buffer.concat([ascii(1 << 20), Buffer.from([0xff])]);
    expect(decodeText(b).endsWith("\uFFFD")).toBe(true);
  });

  it("a view into a larger buffer decodes only its own bytes", () => {
    const whole = Buffer.concat([Buffer.from("é"), ascii(PIECES_FROM + 10), Buffer.from("é")]);
    const view = whole.subarray(2, 2 + PIECES_FROM + 10);
    expect(decodeText(view)).toBe(ascii(PIECES_FROM + 10).toString("utf8"));
  });
});

describe("decodeValidText (RFC 6455 §8.1)", () => {
  it.each([
    ["short", 32],
    ["mid-size (checked for ASCII first)", 8 * 1024],
    ["large", PIECES_FROM + 7],
  ])("refuses %s text that is not UTF-8: a stray byte, a cut character, a surrogate", (_what, n) => {
    for (const bad of [[0xff], [0xe2, 0x82], [0xed, 0xa0, 0x80]]) {
      expect(decodeValidText(Buffer.concat([ascii(n), Buffer.from(bad), ascii(3)]))).toBeNull();
    }
  });

  it.each([
    ["short", 32],
    ["mid-size (checked for ASCII first)", 8 * 1024],
    ["large", PIECES_FROM + 7],
  ])("takes %s valid text, a U+FFFD the peer sent included", (_what, n) => {
    const b = Buffer.concat([ascii(n), Buffer.from("\uFFFDé", "utf8")]);
    expect(decodeValidText(b)).toBe(b.toString("utf8"));
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ws from "ws";
import { SMALL_FRAME, smallFrame } from "../../src/transport/small-frame.js";

type FrameOptions = { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean };
const wsFrame = (ws as unknown as { Sender: { frame(data: Buffer, o: FrameOptions): Buffer[] } }).Sender.frame;

/** What ws's Sender writes for a final, unmasked, uncompressed frame, as one buffer. */
function expected(opcode: number, payload: Buffer): Buffer {
  return Buffer.concat(wsFrame(payload, { fin: true, opcode, mask: false, readOnly: false, rsv1: false }));
}

describe("smallFrame", () => {
  it("produces ws's own frame bytes for every payload length up to SMALL_FRAME, text and binary", () => {
    for (let n = 0; n <= SMALL_FRAME; n++) {
      const payload = Buffer.alloc(n, n & 0xff);
      for (const opcode of [1, 2]) {
        const got = smallFrame(opcode, payload);
        if (!got.equals(expected(opcode, payload))) throw new Error(`length ${n}, opcode ${opcode}: ${got.subarray(0, 6).toString("hex")}`);
      }
    }
  });

  it("matches ws for any payload, including views into larger buffers", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: SMALL_FRAME + 16 }), fc.nat(16), fc.constantFrom(1, 2), (bytes, skip, opcode) => {
        const whole = Buffer.from(bytes);
        const view = whole.subarray(Math.min(skip, whole.length), Math.min(whole.length, skip + SMALL_FRAME));
        expect(smallFrame(opcode, view).equals(expected(opcode, view))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("copies the payload: changing the source after framing leaves the frame as it was", () => {
    const src = Buffer.from("abc");
    const frame = smallFrame(1, src);
    src.write("xyz");
    expect(frame.subarray(2).toString()).toBe("abc");
  });
});

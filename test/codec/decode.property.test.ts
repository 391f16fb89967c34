import fc from "fast-check";
import { describe, it } from "vitest";
import { chatBinding, decodeYieldsDtoOrDecodeError, envelopeRouter, routeYieldsHandlerOrDecodeError } from "./decode-properties.js";

// 5,000 cases each in the normal suite; `npm run test:fuzz` runs the same properties with many more.
const RUNS = 5000;
// Bounded by case count, not time: on a loaded 2-core machine 5,000 validations can take a while.
const TIMEOUT_MS = 120_000;

describe("decoding never fails with anything but a DecodeError", () => {
  it("a DTO payload: any bytes or JSON value yields a valid ChatMessage or a DecodeError", async () => {
    await fc.assert(decodeYieldsDtoOrDecodeError(chatBinding()), { numRuns: RUNS });
  }, TIMEOUT_MS);

  it("typed routing: any bytes or JSON value yields a handler with a valid payload or a DecodeError", async () => {
    await fc.assert(routeYieldsHandlerOrDecodeError(envelopeRouter()), { numRuns: RUNS });
  }, TIMEOUT_MS);
});

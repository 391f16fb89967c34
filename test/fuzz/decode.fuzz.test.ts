import fc from "fast-check";
import { describe, it } from "vitest";
import { chatBinding, decodeYieldsDtoOrDecodeError, envelopeRouter, routeYieldsHandlerOrDecodeError } from "../codec/decode-properties.js";

// Nightly-style: `npm run test:fuzz` (FUZZ_RUNS overrides the case count; FUZZ_SEED replays a failure).
const RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

describe("decode fuzzing", () => {
  it(`a DTO payload decodes to a valid DTO or a DecodeError (${RUNS} cases)`, async () => {
    await fc.assert(decodeYieldsDtoOrDecodeError(chatBinding()), { numRuns: RUNS, seed });
  });

  it(`typed routing yields a handler or a DecodeError (${RUNS} cases)`, async () => {
    await fc.assert(routeYieldsHandlerOrDecodeError(envelopeRouter()), { numRuns: RUNS, seed });
  });
});

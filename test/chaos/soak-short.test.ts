import { describe, it } from "vitest";
import { expectSoakPassed, runSoak } from "../support/soak.js";

describe("soak (short; the full 1,000 × 1,000 run is npm run test:reliability)", () => {
  it("delivers every echo and broadcast exactly once and in order, closes every session once, logs nothing and leaks no heap", async () => {
    const r = await runSoak({ clients: 50, messages: 100, publishers: 5, deadlineMs: 30_000 });
    expectSoakPassed(r, 50, 100);
  }, 60_000);
});

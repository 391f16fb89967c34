import { describe, expect, it } from "vitest";
import type { ClientEndpointOptions, ServerEndpointOptions } from "../../src/index.js";

// Compile-time checks (`npm run lint` type-checks test/): the decorator options carry the real option
// types and no index signature, so a misspelt option or field is an error where it is written.
const ok: ServerEndpointOptions = {
  path: "/chat",
  rateLimit: { messagesPerSecond: 20, burst: 40, policy: "drop" },
  outbound: { maxBytes: 1 << 20, policy: "drop-oldest" },
  perMessageDeflate: { level: 3, threshold: 512 },
  heartbeatInterval: 0,
};
// @ts-expect-error misspelt top-level option
const typo: ServerEndpointOptions = { path: "/chat", maxConection: 3 };
// @ts-expect-error rateLimit.policy is "close" | "drop"
const badPolicy: ServerEndpointOptions = { path: "/chat", rateLimit: { messagesPerSecond: 1, policy: "ignore" } };
// @ts-expect-error misspelt perMessageDeflate field
const badDeflate: ServerEndpointOptions = { path: "/chat", perMessageDeflate: { levle: 3 } };
// @ts-expect-error misspelt outbound field
const badOutbound: ServerEndpointOptions = { path: "/chat", outbound: { maxByte: 10 } };
// @ts-expect-error client endpoints have no server-only options
const clientTypo: ClientEndpointOptions = { subprotocols: ["chat.v1"], heartbeatInterval: 10 };

describe("decorator option types", () => {
  it("are the real option types (checked by tsc; here only so the file runs)", () => {
    expect([ok, typo, badPolicy, badDeflate, badOutbound, clientTypo]).toHaveLength(6);
  });
});

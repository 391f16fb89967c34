import "reflect-metadata";
import { describe, expect, it, vi } from "vitest";
import { ClusterChatEndpoint } from "../../examples/cluster-chat/cluster-chat-endpoint.js";
import { BrokerError } from "../../src/index.js";
import { EndpointHarness } from "../../src/testing/index.js";

// The example's @OnError tells a broker outage (a BrokerError thrown by a presence query, now delivered as
// itself rather than in a HandlerError's cause) from a bug: the outage is a warning and the session stays open.
describe("cluster-chat endpoint", () => {
  it("keeps the session open and warns when presence is unavailable during join", async () => {
    const harness = EndpointHarness.create(ClusterChatEndpoint);
    vi.spyOn(harness.presence, "list").mockRejectedValue(new BrokerError("Redis is unreachable"));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const conn = await harness.connect({ path: "/chat" });
      await conn.receive(JSON.stringify({ type: "join", nickname: "bob", id: 1 }));
      expect(conn.session.closedWith).toBeUndefined();
      expect(warn.mock.calls).toEqual([["cluster-chat: Redis is unreachable"]]);
      expect(error).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      error.mockRestore();
      await harness.shutdown();
    }
  });
});

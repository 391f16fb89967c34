import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { RequestFailedError, RequestTimeoutError, Session, SessionClosedError } from "../../src/index.js";
import { MockSession } from "../../src/testing/index.js";

// An endpoint method that asks the peer stays unit-testable without a socket (issue 20).

class Leaving {
  async leave(session: Session): Promise<string> {
    const answer = (await session.request("confirm", { question: "Leave?" }, { timeout: 1000 })) as { accepted: boolean };
    return answer.accepted ? "left" : "stayed";
  }
}

describe("MockSession and session.request", () => {
  it("records the request as the peer would receive it, and replyTo resolves it", async () => {
    const session = new MockSession();
    const leaving = new Leaving().leave(session);
    const [ask] = session.sentJson<{ id: string }>();
    expect(ask).toEqual({ type: "confirm", id: "s1", question: "Leave?" });
    session.replyTo(ask!.id, { accepted: true });
    expect(await leaving).toBe("left");
  });

  it("failRequest rejects with RequestFailedError carrying the code; an unknown id throws", async () => {
    const session = new MockSession();
    const leaving = new Leaving().leave(session);
    session.failRequest("s1", "NO_HANDLER", "no handler for confirm");
    await expect(leaving).rejects.toMatchObject({ constructor: RequestFailedError, reason: "NO_HANDLER", requestType: "confirm", requestId: "s1" });
    expect(() => session.replyTo("s1", {})).toThrow(/no request "s1" is waiting/);
  });

  it("times out with RequestTimeoutError, and a closed session rejects waiting requests", async () => {
    const session = new MockSession();
    await expect(session.request("confirm", {}, { timeout: 5 })).rejects.toBeInstanceOf(RequestTimeoutError);
    const waiting = session.request("confirm", {});
    session.markClosed();
    await expect(waiting).rejects.toBeInstanceOf(SessionClosedError);
    await expect(session.request("confirm", {})).rejects.toBeInstanceOf(SessionClosedError);
  });
});

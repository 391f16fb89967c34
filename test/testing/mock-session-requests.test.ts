import "reflect-metadata";
import { describe, expect, it } from "vitest";
import { EncodeError, RequestFailedError, RequestTimeoutError, Session, SessionClosedError } from "../../src/index.js";
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

  it("send pushes {type,...payload}; an encoder's failure is the handle's outcome, misuse throws", async () => {
    const session = new MockSession();
    expect(await session.send("said", { text: "hi" })).toEqual({ ok: true });
    expect(session.sentTexts()).toEqual(['{"type":"said","text":"hi"}']);
    const failed = await session.send("said", { big: 10n });
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error).toBeInstanceOf(EncodeError);
    expect(() => session.send("said", [1, 2] as never)).toThrow(/the payload must be an object/);
    expect(session.sentTexts()).toHaveLength(1);
  });
});

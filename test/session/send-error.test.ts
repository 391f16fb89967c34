import { describe, expect, it } from "vitest";
import { QueueOverflowError, SessionClosedError, TransportError } from "../../src/errors.js";
import { toSendError } from "../../src/session/send-error.js";

/** Only what the classification reads of a transport. */
const open = { isOpen: true };
const closed = { isOpen: false };

describe("toSendError: a failed write classified by the state of its transport", () => {
  it("a write the transport refused after it stopped being open is a closed session, whatever ws's wording", () => {
    for (const message of ["WebSocket is not open: readyState 2 (CLOSING)", "write after end", "something else"]) {
      const raw = new Error(message);
      const e = toSendError(raw, closed);
      expect(e).toBeInstanceOf(SessionClosedError);
      expect(e.cause).toBe(raw);
    }
  });

  it("a write that failed on an open transport is a socket failure, even when its text says closed", () => {
    const raw = new Error("write EPIPE: CLOSED");
    const e = toSendError(raw, open);
    expect(e).toBeInstanceOf(TransportError);
    expect(e.message).toBe("The socket failed while sending: write EPIPE: CLOSED");
    expect(e.cause).toBe(raw);
  });

  it("errors of this library pass through unchanged", () => {
    const own = new QueueOverflowError("full");
    expect(toSendError(own, open)).toBe(own);
    expect(toSendError(own, closed)).toBe(own);
  });
});

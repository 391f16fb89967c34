import { describe, expect, it } from "vitest";
import { TransportError } from "../../src/index.js";
import { PendingSend, type SendResult } from "../../src/session/pending-send.js";
import type { Transport, WriteCallback } from "../../src/transport/transport.js";

/** Only what a handle asks of the transport its data went to. */
function transport(waiting: boolean): { t: Transport; flushed: WriteCallback[] } {
  const flushed: WriteCallback[] = [];
  const t = {
    isOpen: true,
    whenFlushed(cb: WriteCallback): boolean {
      if (!waiting) return false;
      flushed.push(cb);
      return true;
    },
  } as unknown as Transport;
  return { t, flushed };
}

const settledYet = async (p: PromiseLike<SendResult>): Promise<SendResult | "pending"> => {
  let out: SendResult | "pending" = "pending";
  void p.then((r) => (out = r));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return out;
};

describe("an Async send handle awaited after its data was handed over", () => {
  it("waits for the turn's coalesced write to leave when it has not yet", async () => {
    const { t, flushed } = transport(true);
    const h = new PendingSend();
    expect(h.writeCallback(t)).toBeUndefined(); // nobody was watching: no write callback
    const result = settledYet(h);
    expect(await result).toBe("pending");
    expect(flushed).toHaveLength(1);
    flushed[0]!();
    expect(await h).toEqual({ ok: true });
  });

  it("reports a failed write as a value, never a rejection", async () => {
    const { t, flushed } = transport(true);
    const h = new PendingSend();
    h.writeCallback(t);
    const result = h.then((r) => r);
    flushed[0]!(new Error("write EPIPE"));
    const r = await result;
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toBeInstanceOf(TransportError);
  });

  it("resolves at once when the data has already left", async () => {
    const { t, flushed } = transport(false);
    const h = new PendingSend();
    h.writeCallback(t);
    expect(await settledYet(h)).toEqual({ ok: true });
    expect(flushed).toHaveLength(0);
  });

  it("awaited before the hand-over, it takes the write's own callback", async () => {
    const { t, flushed } = transport(true);
    const h = new PendingSend();
    const result = h.then((r) => r);
    const done = h.writeCallback(t)!;
    expect(typeof done).toBe("function");
    done();
    expect(await result).toEqual({ ok: true });
    expect(flushed).toHaveLength(0);
  });
});

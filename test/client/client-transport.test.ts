import { describe, expect, it } from "vitest";
import { ClientTransport, type ClientTransportOwner } from "../../src/client/client-transport.js";
import { QueueOverflowError, SessionClosedError, TransportError } from "../../src/errors.js";
import { InMemoryTransport } from "../../src/testing/in-memory-transport.js";

function owner(mayReconnect = true) {
  const log: string[] = [];
  const o: ClientTransportOwner = {
    closeRequested: (code, reason) => log.push(`close ${code} ${reason}`),
    overflowed: (e) => log.push(`overflowed ${e.code}`),
    dropped: (e) => log.push(`dropped ${e.code}`),
    mayReconnect,
  };
  return { o, log };
}

function outcome(): { done: (e?: Error) => void; result: Promise<Error | "ok"> } {
  let done!: (e?: Error) => void;
  const result = new Promise<Error | "ok">((resolve) => (done = (e) => resolve(e ?? "ok")));
  return { done, result };
}

const texts = (t: InMemoryTransport) => t.sent.map((m) => (m.type === "text" ? m.data : m.type));

describe("ClientTransport", () => {
  it("sends straight through while connected", () => {
    const ct = new ClientTransport(10, "drop-newest", owner().o);
    const mem = new InMemoryTransport();
    ct.attach(mem);
    ct.send("a", false, true, undefined);
    expect(texts(mem)).toEqual(["a"]);
    expect(ct.connected).toBe(true);
  });

  it("holds writes while detached and hands them to the next connection first, in order", async () => {
    const ct = new ClientTransport(10, "drop-newest", owner().o);
    ct.attach(new InMemoryTransport());
    ct.detach();
    expect(ct.isOpen).toBe(true);
    expect(ct.connected).toBe(false);
    const first = outcome();
    ct.send("a", false, true, first.done);
    ct.send(Buffer.from("b"), true, true, undefined);
    ct.send("c", false, true, undefined);
    expect(ct.heldCount).toBe(3);
    const next = new InMemoryTransport();
    ct.attach(next);
    ct.send("d", false, true, undefined);
    expect(next.sent.map((m) => (m.type === "binary" ? `bin:${m.data.toString()}` : m.type === "text" ? m.data : m.type))).toEqual(["a", "bin:b", "c", "d"]);
    expect(await first.result).toBe("ok");
    expect(ct.heldCount).toBe(0);
  });

  it("drop-newest refuses the new message with QueueOverflowError once the bound is reached", async () => {
    const { o, log } = owner();
    const ct = new ClientTransport(2, "drop-newest", o);
    ct.send("a", false, true, undefined);
    ct.send("b", false, true, undefined);
    const third = outcome();
    ct.send("c", false, true, third.done);
    const error = await third.result;
    expect(error).toBeInstanceOf(QueueOverflowError);
    expect((error as QueueOverflowError).message).toMatch(/2 messages are already held.*"drop-newest"/);
    expect(log).toEqual(["dropped WSE_ERR_QUEUE_OVERFLOW"]);
    const next = new InMemoryTransport();
    ct.attach(next);
    expect(texts(next)).toEqual(["a", "b"]);
  });

  it("drop-oldest drops the oldest whole message and keeps the new one", async () => {
    const ct = new ClientTransport(2, "drop-oldest", owner().o);
    const oldest = outcome();
    ct.send("a", false, true, oldest.done);
    ct.send("b", false, true, undefined);
    ct.send("c", false, true, undefined);
    expect(await oldest.result).toBeInstanceOf(QueueOverflowError);
    const next = new InMemoryTransport();
    ct.attach(next);
    expect(texts(next)).toEqual(["b", "c"]);
  });

  it("drop-oldest never leaves half of a fragmented message", () => {
    const ct = new ClientTransport(3, "drop-oldest", owner().o);
    ct.send("a1", false, false, undefined);
    ct.send("a2", false, true, undefined);
    ct.send("b", false, true, undefined);
    ct.send("c", false, true, undefined);
    const next = new InMemoryTransport();
    ct.attach(next);
    expect(texts(next)).toEqual(["b", "c"]);
  });

  it("close policy asks the owner to end the session", () => {
    const { o, log } = owner();
    const ct = new ClientTransport(1, "close", o);
    ct.send("a", false, true, undefined);
    ct.send("b", false, true, undefined);
    expect(log).toEqual(["overflowed WSE_ERR_QUEUE_OVERFLOW"]);
  });

  it("end() fails every held write and every later one with the given error", async () => {
    const ct = new ClientTransport(10, "drop-newest", owner().o);
    const held = outcome();
    ct.send("a", false, true, held.done);
    const error = new SessionClosedError("gone");
    ct.end(error);
    expect(ct.isOpen).toBe(false);
    expect(await held.result).toBe(error);
    const later = outcome();
    ct.send("b", false, true, later.done);
    expect(await later.result).toBe(error);
  });

  it("without reconnect, a write after the connection went away fails with SessionClosedError, not QueueOverflowError", async () => {
    const { o, log } = owner(false);
    const ct = new ClientTransport(0, "drop-newest", o);
    const gone = new InMemoryTransport();
    ct.attach(gone);
    gone.isOpen = false;
    const write = outcome();
    ct.send("late", false, true, write.done);
    const error = await write.result;
    expect(error).toBeInstanceOf(SessionClosedError);
    expect((error as Error).message).toBe("The connection closed before this message was sent; the session has ended.");
    expect(ct.heldCount).toBe(0);
    expect(log).toEqual([]);
  });

  it("drops the rest of a fragmented message cut by a disconnect instead of sending orphan fragments", async () => {
    const ct = new ClientTransport(10, "drop-newest", owner().o);
    ct.attach(new InMemoryTransport());
    ct.send("part1", false, false, undefined);
    ct.detach();
    const rest = outcome();
    ct.send("part2", false, true, rest.done);
    ct.send("whole", false, true, undefined);
    expect(await rest.result).toBeInstanceOf(TransportError);
    const next = new InMemoryTransport();
    ct.attach(next);
    expect(texts(next)).toEqual(["whole"]);
  });

  it("does not buffer pings while disconnected", async () => {
    const ct = new ClientTransport(10, "drop-newest", owner().o);
    const ping = outcome();
    ct.ping(Buffer.alloc(0), ping.done);
    expect(await ping.result).toBeInstanceOf(SessionClosedError);
    expect(ct.heldCount).toBe(0);
  });

  it("routes the session's close frame to the owner", () => {
    const { o, log } = owner();
    const ct = new ClientTransport(10, "drop-newest", o);
    ct.close(1000, "bye");
    expect(log).toEqual(["close 1000 bye"]);
  });
});

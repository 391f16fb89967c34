import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import { OnMessage, ServerEndpoint, Session } from "../../src/index.js";
import { EndpointHarness, type HarnessConnection } from "../../src/testing/index.js";
import type { TransportSink } from "../../src/transport/transport.js";
import { transportWrites } from "../support/transport-writes.js";

// Long enough that the queue would hand the transport a string if it encoded the text itself (short
// strings are written as fresh Buffers either way), with multi-byte characters.
const TEXT = "héllo wörld ✓ 🚀 ".repeat(20);
const OTHER = TEXT.replace("h", "j"); // same length, different content

@ServerEndpoint("/echo")
class Echo {
  @OnMessage() text(msg: string, session: Session) {
    session.getAsyncRemote().sendText(msg);
    session.getAsyncRemote().sendText(msg === TEXT ? OTHER : "short");
  }
}

@ServerEndpoint("/reply")
class Reply {
  @OnMessage() text(msg: string): string {
    return msg;
  }
}

@ServerEndpoint("/relay")
class Relay {
  @OnMessage() text(msg: string, session: Session) {
    for (const s of session.getOpenSessions()) s.getAsyncRemote().sendText(msg);
  }
}

@ServerEndpoint("/later")
class Later {
  @OnMessage() async text(msg: string, session: Session) {
    await Promise.resolve();
    session.getAsyncRemote().sendText(msg);
  }
}

const texts = (conn: HarnessConnection): string[] => conn.sent.flatMap((m) => (m.type === "text" ? [m.data] : []));

let harness: EndpointHarness | undefined;
afterEach(async () => {
  await harness?.shutdown();
  harness = undefined;
});

describe("sending on the text being handled", () => {
  it("hands the transport the received bytes instead of encoding the string again", async () => {
    harness = EndpointHarness.create(Echo);
    const conn = await harness.connect();
    const writes = transportWrites(conn.session);
    await conn.receive(TEXT);
    expect(texts(conn)).toEqual([TEXT, OTHER]);
    expect(Buffer.isBuffer(writes[0])).toBe(true);
    expect((writes[0] as Buffer).equals(Buffer.from(TEXT, "utf8"))).toBe(true);
    // A different string of the same length is encoded as usual.
    expect(writes[1]).toBe(OTHER);
  });

  it("reuses the bytes for a returned reply too", async () => {
    harness = EndpointHarness.create(Reply);
    const conn = await harness.connect();
    const writes = transportWrites(conn.session);
    await conn.receive(TEXT);
    expect(texts(conn)).toEqual([TEXT]);
    expect(Buffer.isBuffer(writes[0])).toBe(true);
  });

  it("reuses them for every session a handler relays the text to", async () => {
    harness = EndpointHarness.create(Relay);
    const a = await harness.connect();
    const b = await harness.connect();
    const writesA = transportWrites(a.session);
    const writesB = transportWrites(b.session);
    await a.receive(TEXT);
    await b.settled();
    expect(texts(a)).toEqual([TEXT]);
    expect(texts(b)).toEqual([TEXT]);
    expect(Buffer.isBuffer(writesA[0]) && Buffer.isBuffer(writesB[0])).toBe(true);
  });

  it("copies the received bytes when they are a small part of a large read and the reader is behind", async () => {
    harness = EndpointHarness.create(Echo);
    const conn = await harness.connect();
    const writes = transportWrites(conn.session);
    // A message cut from a 64 KiB socket read: held as a view, it would keep the whole read alive.
    const read = Buffer.alloc(64 * 1024, 0x20);
    const bytes = Buffer.from(TEXT, "utf8");
    bytes.copy(read, 100);
    const sink = (conn.session.memory as unknown as { sink: TransportSink }).sink;
    sink.onMessage(read.subarray(100, 100 + bytes.length), false);
    // A reader that keeps up: the view leaves with this turn's write.
    conn.session.memory.bufferedAmount = 1;
    sink.onMessage(read.subarray(100, 100 + bytes.length), false);
    await conn.settled();
    expect(texts(conn)).toEqual([TEXT, OTHER, TEXT, OTHER]);
    expect((writes[0] as Buffer).buffer).toBe(read.buffer);
    // Earlier bytes still unsent: this one stays a while, so only its own bytes are kept.
    expect((writes[2] as Buffer).equals(bytes)).toBe(true);
    expect((writes[2] as Buffer).buffer).not.toBe(read.buffer);
  });

  it("does not keep the received bytes past the handler's synchronous part", async () => {
    harness = EndpointHarness.create(Later);
    const conn = await harness.connect();
    const writes = transportWrites(conn.session);
    await conn.receive(TEXT);
    expect(texts(conn)).toEqual([TEXT]);
    expect(writes[0]).toBe(TEXT);
  });
});

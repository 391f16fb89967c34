/**
 * Issue #18, wire integrity: a fragmented message is never mixed with another message on the wire.
 * The session's own whole sends are refused while its fragmented message is open (Jakarta: an
 * IllegalStateException); messages from other senders (broadcasts) are held and follow the last part.
 * Every test asserts the exact frames a bare-TCP client receives.
 */
import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Broadcaster, CloseCodes, CloseReason, OnClose, OnMessage, OnOpen, ServerEndpoint, Session, type AsyncSendHandle } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { OP, type ParsedFrame } from "../support/frames.js";
import { RawClient } from "../support/raw-client.js";

type Outcome = string;

function basic(p: Promise<void>): Promise<Outcome> {
  return p.then(
    () => "sent",
    (e: { code?: string; name?: string }) => e.code ?? e.name ?? "failed",
  );
}
async function fromAsync(h: AsyncSendHandle): Promise<Outcome> {
  const r = await h;
  return r.ok ? "sent" : ((r.error as { code?: string }).code ?? r.error.name);
}

/** What a handler tries while a fragmented message is open. */
const ATTEMPTS: Record<string, (s: Session) => Promise<Outcome>> = {
  "Basic sendText (whole)": (s) => basic(s.getBasicRemote().sendText("x")),
  "Basic sendBinary (whole)": (s) => basic(s.getBasicRemote().sendBinary(Buffer.from("x"))),
  "Basic sendObject": (s) => basic(s.getBasicRemote().sendObject({ x: 1 })),
  "Async sendText": (s) => fromAsync(s.getAsyncRemote().sendText("x")),
  "Async sendBinary": (s) => fromAsync(s.getAsyncRemote().sendBinary(Buffer.from("x"))),
  "Async sendObject": (s) => fromAsync(s.getAsyncRemote().sendObject({ x: 1 })),
  "Basic sendText part of the other kind": (s) => basic(s.getBasicRemote().sendText("x", false)),
  "Basic sendBinary part of the other kind": (s) => basic(s.getBasicRemote().sendBinary(Buffer.from("x"), false)),
};

let broadcaster: Broadcaster | undefined;

@ServerEndpoint("/gate/{kind}")
class Gate {
  constructor(b: Broadcaster) {
    broadcaster = b;
  }

  @OnOpen() open(session: Session): void {
    session.join("room");
  }

  @OnMessage() async run(attempt: string, session: Session): Promise<void> {
    const remote = session.getBasicRemote();
    const binary = session.getPathParameters().kind === "binary";
    const part = (data: string, last: boolean) => (binary ? remote.sendBinary(Buffer.from(data), last) : remote.sendText(data, last));
    await part("ab", false);
    const outcome = await ATTEMPTS[attempt]!(session);
    await part("cd", true);
    await remote.sendText(outcome);
  }
}

@ServerEndpoint({ path: "/held/{room}", outbound: { maxBytes: 4096, maxMessages: 64 } })
class Held {
  constructor(b: Broadcaster) {
    broadcaster = b;
  }

  @OnOpen() open(session: Session): void {
    session.join(session.getPathParameters().room!);
  }

  /** Opens a fragmented message, lets broadcasts arrive, reports what the queue holds, then finishes it. */
  @OnMessage() async run(command: string, session: Session): Promise<void> {
    const remote = session.getBasicRemote();
    await remote.sendText("ab", false);
    const room = session.getPathParameters().room!;
    const results: unknown[] = [];
    if (command === "mixed") {
      for (const data of ["B1", Buffer.from([1, 2]), { n: 3 }]) results.push(pick(await broadcaster!.broadcast(data, { room })));
    } else {
      // 1 KiB payloads, 1028-byte frames: three fit in 4096 bytes, the fourth and fifth do not.
      for (let i = 0; i < 5; i++) results.push(pick(await broadcaster!.broadcast(Buffer.alloc(1024, i), { room })));
    }
    const queued = { depth: session.getOutboundQueueDepth(), bytes: session.getBufferedAmount() };
    await remote.sendText("cd", true);
    await remote.sendText(JSON.stringify({ results, queued }));
  }
}

@ServerEndpoint("/abandon")
class Abandon {
  constructor(b: Broadcaster) {
    broadcaster = b;
  }

  @OnOpen() open(session: Session): void {
    session.join("abandon");
  }

  /** Closes in the middle of its fragmented message while two broadcasts are held for it. */
  @OnMessage() async run(_command: string, session: Session): Promise<void> {
    await session.getBasicRemote().sendText("ab", false);
    await broadcaster!.broadcast("B1", { room: "abandon" });
    await broadcaster!.broadcast("B2", { room: "abandon" });
    session.close(new CloseReason(CloseCodes.NORMAL_CLOSURE, "abandoned"));
  }

  @OnClose() closed(): void {
    abandoned?.();
  }
}
let abandoned: (() => void) | undefined;

@ServerEndpoint({ path: "/stream", outbound: { maxMessages: 2 } })
class Stream {
  constructor(b: Broadcaster) {
    broadcaster = b;
  }

  @OnOpen() open(session: Session): void {
    session.join("stream");
  }

  /** A fragmented message that spans two inbound messages, with broadcasts held in between. */
  @OnMessage() async run(command: string, session: Session): Promise<void> {
    const remote = session.getBasicRemote();
    if (command === "open") {
      await remote.sendText("ab", false);
      await broadcaster!.broadcast("B1", { room: "stream" });
      await broadcaster!.broadcast("B2", { room: "stream" });
      await remote.sendText("cd", false);
    } else {
      await remote.sendText("ef", true);
    }
  }
}

function pick(r: { local: number; failed: number; error?: Error | undefined }): unknown {
  return { local: r.local, failed: r.failed, error: (r.error as { code?: string } | undefined)?.code ?? null };
}

const view = (f: ParsedFrame) => [f.fin, f.opcode, f.opcode === OP.BINARY ? [...f.payload] : f.payload.toString()];

let server: TestServer;
beforeAll(async () => {
  server = await TestServer.start([Gate, Held, Abandon, Stream]);
});
afterAll(async () => server.close());

async function framesAfter(client: RawClient, message: string, count: number): Promise<ParsedFrame[]> {
  await client.sendText(message);
  await client.until((f) => f.length >= count);
  return client.frames.slice(0, count);
}

describe("a whole message sent while the session's fragmented message is open", () => {
  const cases = Object.keys(ATTEMPTS).flatMap((attempt) =>
    (["text", "binary"] as const)
      // A part of the same kind continues the message; only the other kind is an interleaving.
      .filter((kind) => !(attempt === "Basic sendText part of the other kind" && kind === "text") && !(attempt === "Basic sendBinary part of the other kind" && kind === "binary"))
      .map((kind) => [attempt, kind] as const),
  );

  it.each(cases)("%s during a %s message is refused with FragmentInterleavedError and never reaches the wire", async (attempt, kind) => {
    const client = await RawClient.connect(server.handle.address.port, `/gate/${kind}`);
    const opcode = kind === "text" ? OP.TEXT : OP.BINARY;
    const frames = await framesAfter(client, attempt, 3);
    expect(frames.map((f) => [f.fin, f.opcode, f.payload.toString()])).toEqual([
      [false, opcode, "ab"],
      [true, OP.CONT, "cd"],
      [true, OP.TEXT, "WSE_ERR_FRAGMENT_INTERLEAVED"],
    ]);
    client.reset();
  });
});

describe("broadcasts reaching a session in the middle of its fragmented message", () => {
  it("are held and follow the last fragment, in order, while other members get them at once", async () => {
    const port = server.handle.address.port;
    const sender = await RawClient.connect(port, "/held/mixed");
    const other = await RawClient.connect(port, "/held/mixed");
    const frames = await framesAfter(sender, "mixed", 6);
    await other.until((f) => f.length >= 3);
    expect(frames.slice(0, 5).map(view)).toEqual([
      [false, OP.TEXT, "ab"],
      [true, OP.CONT, "cd"],
      [true, OP.TEXT, "B1"],
      [true, OP.BINARY, [1, 2]],
      [true, OP.TEXT, '{"n":3}'],
    ]);
    const report = JSON.parse(frames[5]!.payload.toString()) as { results: unknown[]; queued: { depth: number; bytes: number } };
    expect(report.results).toEqual([
      { local: 2, failed: 0, error: null },
      { local: 2, failed: 0, error: null },
      { local: 2, failed: 0, error: null },
    ]);
    expect(report.queued.depth).toBe(3);
    expect(other.frames.map(view)).toEqual([
      [true, OP.TEXT, "B1"],
      [true, OP.BINARY, [1, 2]],
      [true, OP.TEXT, '{"n":3}'],
    ]);
    sender.reset();
    other.reset();
  });

  it("count against the outbound queue's byte bound: past it they are refused, so an unfinished message cannot grow memory", async () => {
    const client = await RawClient.connect(server.handle.address.port, "/held/bounded");
    const frames = await framesAfter(client, "bounded", 6);
    expect(frames.slice(0, 5).map((f) => [f.fin, f.opcode, f.opcode === OP.BINARY ? [f.payload.length, f.payload[0]] : f.payload.toString()])).toEqual([
      [false, OP.TEXT, "ab"],
      [true, OP.CONT, "cd"],
      [true, OP.BINARY, [1024, 0]],
      [true, OP.BINARY, [1024, 1]],
      [true, OP.BINARY, [1024, 2]],
    ]);
    const report = JSON.parse(frames[5]!.payload.toString()) as { results: unknown[]; queued: { depth: number; bytes: number } };
    expect(report.results).toEqual([
      { local: 1, failed: 0, error: null },
      { local: 1, failed: 0, error: null },
      { local: 1, failed: 0, error: null },
      { local: 0, failed: 1, error: "WSE_ERR_QUEUE_OVERFLOW" },
      { local: 0, failed: 1, error: "WSE_ERR_QUEUE_OVERFLOW" },
    ]);
    // Held: three 1028-byte frames (1024-byte payload, 4-byte header), nothing more.
    expect(report.queued).toEqual({ depth: 3, bytes: 3 * 1028 });
    client.reset();
  });
});

describe("a fragmented message that a later inbound message finishes", () => {
  it("is finished even when the broadcasts held behind it fill the queue's bounds (they do not stop the session handling messages)", async () => {
    const client = await RawClient.connect(server.handle.address.port, "/stream");
    await client.sendText("open");
    await client.until((f) => f.length >= 2);
    await client.sendText("close");
    await client.until((f) => f.length >= 5);
    expect(client.frames.map(view)).toEqual([
      [false, OP.TEXT, "ab"],
      [false, OP.CONT, "cd"],
      [true, OP.CONT, "ef"],
      [true, OP.TEXT, "B1"],
      [true, OP.TEXT, "B2"],
    ]);
    client.reset();
  });
});

describe("a session that closes in the middle of its fragmented message", () => {
  it("sends the close frame; the broadcasts held for it are never written and are counted as dropped", async () => {
    const client = await RawClient.connect(server.handle.address.port, "/abandon");
    const onClose = new Promise<void>((resolve) => (abandoned = resolve));
    await client.sendText("go");
    await client.until((f) => f.some((x) => x.opcode === OP.CLOSE));
    await client.sendClose(1000);
    const { frames } = await client.closed;
    await onClose;
    expect(frames.map((f) => [f.fin, f.opcode, f.opcode === OP.CLOSE ? f.payload.readUInt16BE(0) : f.payload.toString()])).toEqual([
      [false, OP.TEXT, "ab"],
      [true, OP.CLOSE, 1000],
    ]);
    const metrics = server.handle.metrics().endpoints["/abandon"]!;
    expect([metrics.outboundDropped, metrics.outboundQueued, metrics.openSessions]).toEqual([2, 0, 0]);
  });
});

describe("on a compressed connection (permessage-deflate)", () => {
  it("a broadcast reaching a session mid-fragment is held and arrives after the whole fragmented message", async () => {
    const deflating = await TestServer.start([Held], { perMessageDeflate: true });
    try {
      const c = await deflating.connect("/held/deflate", { perMessageDeflate: true });
      expect(c.ws.extensions).toContain("permessage-deflate");
      await c.send("mixed");
      expect(await c.next()).toEqual({ type: "text", data: "abcd" });
      expect(await c.next()).toEqual({ type: "text", data: "B1" });
      expect(await c.next()).toEqual({ type: "binary", data: Buffer.from([1, 2]) });
      expect(await c.next()).toEqual({ type: "text", data: '{"n":3}' });
      const report = JSON.parse(await c.nextText()) as { results: unknown[] };
      expect(report.results).toEqual(Array(3).fill({ local: 1, failed: 0, error: null }));
    } finally {
      await deflating.close();
    }
  });
});

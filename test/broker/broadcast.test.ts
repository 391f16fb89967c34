import "reflect-metadata";
import { describe, expect, expectTypeOf, it } from "vitest";
import { Broadcaster, type BroadcastResult, type PresenceEntry, type ServerHandle, OnMessage, OnOpen, Presence, ServerEndpoint, Session } from "../../src/index.js";
import { EndpointHarness, type HarnessConnection } from "../../src/testing/index.js";

let injected: { broadcaster: Broadcaster; presence: Presence } | undefined;

@ServerEndpoint("/b")
class BroadcastEndpoint {
  constructor(
    private readonly broadcaster: Broadcaster,
    presence: Presence,
  ) {
    injected = { broadcaster, presence };
  }
  @OnOpen() open(session: Session): void {
    session.join("all");
  }
  @OnMessage() async text(text: string, session: Session): Promise<void> {
    if (text === "sandwich") {
      session.getAsyncRemote().sendText("1");
      void this.broadcaster.broadcast("2", { room: "all" });
      session.getAsyncRemote().sendText("3");
    } else if (text === "fragment") {
      await session.getBasicRemote().sendText("part-", false);
    } else if (text === "finish") {
      await session.getBasicRemote().sendText("end", true);
    }
  }
}

/** Records what each session's transport was asked to write. */
function spy(c: HarnessConnection): { frames: Array<readonly Buffer[]>; sends: unknown[] } {
  const t = c.session.memory;
  const log = { frames: [] as Array<readonly Buffer[]>, sends: [] as unknown[] };
  const sendFrames = t.sendFrames.bind(t);
  const send = t.send.bind(t);
  let framing = false;
  t.sendFrames = (frames, done) => {
    log.frames.push(frames);
    framing = true;
    sendFrames(frames, done);
    framing = false;
  };
  t.send = (data, binary, fin, done) => {
    if (!framing) log.sends.push(data);
    send(data, binary, fin, done);
  };
  return log;
}

describe("Broadcaster", () => {
  it("is injected into endpoints, the same instance the harness exposes", async () => {
    const h = EndpointHarness.create(BroadcastEndpoint);
    await h.connect();
    expect(injected?.broadcaster).toBe(h.broadcaster);
    expect(injected?.presence).toBe(h.presence);
  });

  it("builds the frame once and queues the same buffers for every member", async () => {
    const h = EndpointHarness.create(BroadcastEndpoint);
    const conns = [await h.connect(), await h.connect(), await h.connect()];
    const logs = conns.map(spy);
    const r = await h.broadcaster.broadcast("x".repeat(4096), { room: "all" });
    expect(r).toEqual({ local: 3, failed: 0, published: true, error: undefined });
    for (const c of conns) await c.settled();
    expect(logs.map((l) => l.frames.length)).toEqual([1, 1, 1]);
    expect(logs[1]!.frames[0]).toBe(logs[0]!.frames[0]);
    expect(logs[2]!.frames[0]).toBe(logs[0]!.frames[0]);
    const [header, payload] = logs[0]!.frames[0]!;
    expect([...header!]).toEqual([0x81, 126, 0x10, 0x00]);
    expect(payload!.toString()).toBe("x".repeat(4096));
    for (const c of conns) expect(c.session.sentTexts()).toEqual(["x".repeat(4096)]);
  });

  it("falls back to an ordinary send for a connection with permessage-deflate", async () => {
    const h = EndpointHarness.create(BroadcastEndpoint);
    const plain = await h.connect();
    const deflated = await h.connect();
    Object.defineProperty(deflated.session.memory, "compressed", { value: true });
    const [p, d] = [spy(plain), spy(deflated)];
    await h.broadcaster.broadcast(Buffer.from([1, 2, 3]));
    await plain.settled();
    await deflated.settled();
    expect([p.frames.length, p.sends.length]).toEqual([1, 0]);
    expect([d.frames.length, d.sends.length]).toEqual([0, 1]);
    expect(deflated.sent).toEqual([{ type: "binary", data: Buffer.from([1, 2, 3]) }]);
    expect(plain.sent).toEqual([{ type: "binary", data: Buffer.from([1, 2, 3]) }]);
  });

  it("keeps a broadcast in order with the session's own sends", async () => {
    const h = EndpointHarness.create(BroadcastEndpoint);
    const c = await h.connect();
    await c.receive("sandwich");
    expect(c.session.sentTexts()).toEqual(["1", "2", "3"]);
  });

  it("sends objects through the endpoint's encoder and copies binary data it was given", async () => {
    const h = EndpointHarness.create(BroadcastEndpoint);
    const c = await h.connect();
    const data = Buffer.from("abc");
    await h.broadcaster.broadcast({ a: [1, { b: true }] });
    await h.broadcaster.broadcast(data);
    data.fill(0);
    await c.settled();
    expect(c.sent).toEqual([
      { type: "text", data: '{"a":[1,{"b":true}]}' },
      { type: "binary", data: Buffer.from("abc") },
    ]);
  });

  it("skips the sessions in except, given as sessions or ids", async () => {
    const h = EndpointHarness.create(BroadcastEndpoint);
    const [a, b, c] = [await h.connect(), await h.connect(), await h.connect()];
    expect((await h.broadcaster.broadcast("1", { except: a.session })).local).toBe(2);
    expect((await h.broadcaster.broadcast("2", { except: [a.session, b.session.getId()] })).local).toBe(1);
    expect([a.session.sentTexts(), b.session.sentTexts(), c.session.sentTexts()]).toEqual([[], ["1"], ["1", "2"]]);
  });

  it("holds a broadcast for a member in the middle of a fragmented message until its last part; the others get it at once", async () => {
    const h = EndpointHarness.create(BroadcastEndpoint);
    const busy = await h.connect();
    const idle = await h.connect();
    await busy.receive("fragment");
    const r = await h.broadcaster.broadcast("news");
    expect(r).toMatchObject({ local: 2, failed: 0 });
    expect(idle.session.sentTexts()).toEqual(["news"]);
    expect(busy.session.sentTexts()).toEqual([]);
    await busy.receive("finish");
    expect(busy.session.sentTexts()).toEqual(["part-end", "news"]);
  });

  it.each([
    ["undefined data", (b: Broadcaster) => b.broadcast(undefined as never), TypeError, "broadcast: data must be a string, binary data or an object; got undefined."],
    ["an empty room", (b: Broadcaster) => b.broadcast("x", { room: "" }), TypeError, 'broadcast: room must be a non-empty string; got "".'],
    ["a bad except", (b: Broadcaster) => b.broadcast("x", { except: 5 as never }), TypeError, "broadcast: except must be a Session, a session id, or an iterable of them."],
    ["a bad except item", (b: Broadcaster) => b.broadcast("x", { except: [5] as never }), TypeError, "broadcast: every item of except must be a Session or a session id."],
    ["an empty user id", (b: Broadcaster) => b.sendToUser("", "x"), TypeError, "sendToUser: userId must be a non-empty string; got string."],
    ["a presence room that is too long", (b: Broadcaster) => b.presence.count("r".repeat(300)), RangeError, "presence.count: room name is 300 characters; the limit is 256."],
  ])("throws at the call for %s", (_label, call, type, message) => {
    const h = EndpointHarness.create(BroadcastEndpoint);
    expect(() => call(h.broadcaster)).toThrow(type);
    expect(() => call(h.broadcaster)).toThrow(message);
  });
});

describe("Broadcaster and Presence types", () => {
  it("resolve to results, never to void, and take sessions or ids in except", () => {
    expectTypeOf<Broadcaster["broadcast"]>().returns.resolves.toEqualTypeOf<BroadcastResult>();
    expectTypeOf<Broadcaster["sendToUser"]>().returns.resolves.toEqualTypeOf<BroadcastResult>();
    expectTypeOf<Presence["list"]>().returns.resolves.toEqualTypeOf<PresenceEntry[]>();
    expectTypeOf<Presence["count"]>().parameters.toEqualTypeOf<[room?: string]>();
    expectTypeOf<ServerHandle["broadcaster"]>().toEqualTypeOf<Broadcaster>();
    expectTypeOf<{ except: Session[] }>().toMatchTypeOf<NonNullable<Parameters<Broadcaster["broadcast"]>[1]>>();
    expectTypeOf<{ except: string }>().toMatchTypeOf<NonNullable<Parameters<Broadcaster["broadcast"]>[1]>>();
  });
});

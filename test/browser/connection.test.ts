import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  BufferOverflowError,
  ClientOptionsError,
  connect,
  ConnectionClosedError,
  LIVENESS_TIMEOUT,
  type BrowserClient,
  type BrowserConnectOptions,
} from "../../src/browser/index.js";
import { defineContract, payloadType } from "../../src/contract/index.js";
import { RawServer, recordStates, stateOf } from "./support.js";

const contract = defineContract({
  client: {
    say: { payload: payloadType<{ text: string }>() },
    join: { payload: payloadType<{ room: string }>(), reply: payloadType<{ online: number }>() },
  },
  server: {
    said: { payload: payloadType<{ text: string }>() },
    confirm: { payload: payloadType<{ question: string }>(), reply: payloadType<{ yes: boolean }>() },
  },
});
type Contract = typeof contract;

const raws: RawServer[] = [];
const clients: BrowserClient<Contract>[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(raws.splice(0).map((r) => r.close()));
});

async function raw(port = 0): Promise<RawServer> {
  const r = await RawServer.start(port);
  raws.push(r);
  return r;
}

function client(url: string, options: BrowserConnectOptions = {}): BrowserClient<Contract> {
  const c = connect<Contract>(url, { WebSocket, reconnect: { initialDelay: 20, maxDelay: 100, jitter: 0 }, ...options });
  clients.push(c);
  return c;
}

const json = (s: string): unknown => JSON.parse(s);

describe("server → client requests ($reply)", () => {
  it("answers with the handler's result, correlated by the server's id", async () => {
    const server = await raw();
    const c = client(server.url);
    c.handle("confirm", async (q) => ({ yes: q.question === "sure?" }));
    const ws = await server.connection(1);
    ws.send(JSON.stringify({ type: "confirm", id: "s1", question: "sure?" }));
    ws.send(JSON.stringify({ type: "confirm", id: "s2", question: "no" }));
    expect(json(await server.message(1))).toEqual({ type: "$reply", id: "s1", ok: true, data: { yes: true } });
    expect(json(await server.message(2))).toEqual({ type: "$reply", id: "s2", ok: true, data: { yes: false } });
  });

  it("answers NO_HANDLER without a handler and HANDLER_FAILED when it throws (reported to onError)", async () => {
    const server = await raw();
    const errors: unknown[] = [];
    const c = client(server.url, { onError: (e) => errors.push(e) });
    const ws = await server.connection(1);
    ws.send(JSON.stringify({ type: "confirm", id: "s1", question: "?" }));
    expect(json(await server.message(1))).toEqual({
      type: "$reply", id: "s1", ok: false, error: { code: "NO_HANDLER", message: 'The client has no handler for "confirm".' },
    });
    const stop = c.handle("confirm", () => {
      throw new Error("user said no");
    });
    ws.send(JSON.stringify({ type: "confirm", id: "s2", question: "?" }));
    expect(json(await server.message(2))).toEqual({ type: "$reply", id: "s2", ok: false, error: { code: "HANDLER_FAILED", message: "user said no" } });
    expect(errors).toEqual([new Error("user said no")]);
    stop();
    ws.send(JSON.stringify({ type: "confirm", id: "s3", question: "?" }));
    expect((json(await server.message(3)) as { error: { code: string } }).error.code).toBe("NO_HANDLER");
  });

  it("keeps the $reply shape under other envelope names: data-wrapped, with the configured type and id fields", async () => {
    const server = await raw();
    const c = client(server.url, { envelope: { typeField: "kind", idField: "ref", dataField: "body" } });
    c.handle("confirm", (q) => ({ yes: q.question.length > 0 }));
    (await server.connection(1)).send(JSON.stringify({ kind: "confirm", ref: "s9", body: { question: "x" } }));
    expect(json(await server.message(1))).toEqual({ kind: "$reply", ref: "s9", ok: true, data: { yes: true } });
  });
});

describe("replies", () => {
  it("drops a reply that comes after its request timed out: no listener sees it as an event", async () => {
    const server = await raw();
    const c = client(server.url);
    const heard: unknown[] = [];
    c.on("said", (m) => heard.push(m));
    await expect(c.request("join", { room: "slow" }, { timeout: 30 })).rejects.toThrow('No reply to "join" within 30 ms.');
    const ws = await server.connection(1);
    ws.send(JSON.stringify({ type: "said", text: "late", id: 1 }));
    ws.send(JSON.stringify({ type: "said", text: "event" }));
    await expect.poll(() => heard.length).toBe(1);
    expect(heard).toEqual([{ text: "event" }]);
  });

  it("reads an application error reply: its code and message, no field errors", async () => {
    const server = await raw();
    const c = client(server.url);
    const reply = c.request("join", { room: "x" });
    (await server.connection(1)).send(JSON.stringify({ type: "error", code: "ROOM_FULL", message: "The room is full.", errors: "n/a", id: 1 }));
    await expect(reply).rejects.toMatchObject({ name: "RequestError", code: "ROOM_FULL", message: "The room is full.", errors: [], accepted: undefined });
  });
});

describe("reconnect and the outage buffer", () => {
  it("reconnects after the server restarts; sends and requests made meanwhile arrive in order", async () => {
    const first = await raw();
    const port = first.port;
    const c = client(first.url);
    const states = recordStates(c);
    await stateOf(c, "open");
    await first.close();
    const reconnecting = await stateOf(c, "reconnecting");
    expect(reconnecting).toMatchObject({ attempt: 1, delay: 20, code: 1006 });
    c.send("say", { text: "1" });
    const reply = c.request("join", { room: "r" });
    c.send("say", { text: "2" });
    expect(c.buffered.count).toBe(3);
    const second = await raw(port);
    const ws = await second.connection(1);
    await second.message(3);
    expect(second.received.map(json)).toEqual([{ type: "say", text: "1" }, { type: "join", room: "r", id: 1 }, { type: "say", text: "2" }]);
    ws.send(JSON.stringify({ type: "joined", online: 2, id: 1 }));
    await expect(reply).resolves.toEqual({ online: 2 });
    expect(c.state).toEqual({ state: "open" });
    expect(states.map((s) => s.state)).toContain("reconnecting");
    // Each failed attempt while the port was closed backed off further (20, 40, 80, then the cap 100).
    const delays = states.flatMap((s) => (s.state === "reconnecting" ? [s.delay] : []));
    expect(delays).toEqual([20, 40, 80, 100, 100, 100, 100, 100, 100, 100, 100].slice(0, delays.length));
  });

  it("a request made by an open listener goes out before the held messages (to re-join or re-authenticate first)", async () => {
    const server = await raw();
    const c = client(server.url);
    c.onState((s) => {
      if (s.state === "open") void c.request("join", { room: "again" }).catch(() => {});
    });
    c.send("say", { text: "held" });
    await server.message(2);
    expect(server.received.map(json)).toEqual([{ type: "join", room: "again", id: 1 }, { type: "say", text: "held" }]);
  });

  it("rejects a request that was sent when the connection drops; one still held waits for the reconnect", async () => {
    const server = await raw();
    const c = client(server.url);
    await stateOf(c, "open");
    const sent = c.request("join", { room: "lost" });
    await server.message(1);
    (await server.connection(1)).close(1012, "restart");
    const error = (await sent.catch((e: unknown) => e)) as ConnectionClosedError;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error.code).toBe("CONNECTION_CLOSED");
    expect(error.closeCode).toBe(1012);
    await stateOf(c, "open"); // the server is still up: the reconnect succeeds
    const ws = await server.connection(2);
    const again = c.request("join", { room: "again" });
    expect(json(await server.message(2))).toEqual({ type: "join", room: "again", id: 2 });
    ws.send(JSON.stringify({ type: "joined", online: 1, id: 2 }));
    await expect(again).resolves.toEqual({ online: 1 });
  });

  it("drop-newest: a send beyond bufferLimit throws BufferOverflowError and is not sent", async () => {
    const server = await raw();
    const c = client(server.url, { reconnect: { bufferLimit: 2 } });
    c.send("say", { text: "a" });
    c.send("say", { text: "b" });
    expect(() => c.send("say", { text: "c" })).toThrow(BufferOverflowError);
    await expect(c.request("join", { room: "x" })).rejects.toThrow(/outage buffer is full \(bufferLimit 2, bufferBytes 1048576\)/);
    await server.message(2);
    expect(server.received).toEqual(['{"type":"say","text":"a"}', '{"type":"say","text":"b"}']);
  });

  it("bufferBytes bounds the buffer in UTF-8 bytes; drop-oldest drops the oldest and rejects a dropped request", async () => {
    const server = await raw();
    const say = '{"type":"say","text":"ééé"}';
    const join = '{"type":"join","room":"x","id":1}';
    expect([Buffer.byteLength(say), Buffer.byteLength(join)]).toEqual([30, 33]);
    const c = client(server.url, { reconnect: { bufferBytes: 70, bufferPolicy: "drop-oldest" } });
    const dropped = expect(c.request("join", { room: "x" })).rejects.toThrow(/a held request was dropped for a newer message/);
    c.send("say", { text: "ééé" });
    expect(c.buffered).toEqual({ count: 2, bytes: 63 });
    c.send("say", { text: "ééé" }); // 93 bytes would not fit: the request goes
    await dropped;
    expect(c.buffered).toEqual({ count: 2, bytes: 60 });
    await server.message(2);
    expect(server.received).toEqual([say, say]);
  });

  it('bufferPolicy "close": overflowing ends the client for good', async () => {
    const server = await raw();
    const c = client(server.url, { reconnect: { bufferLimit: 1, bufferPolicy: "close" } });
    const pending = c.request("join", { room: "x" });
    expect(() => c.send("say", { text: "too many" })).toThrow(BufferOverflowError);
    await expect(pending).rejects.toThrow(ConnectionClosedError);
    expect(c.state).toEqual({ state: "closed", code: 1006, reason: "outage buffer overflow" });
    expect(() => c.send("say", { text: "later" })).toThrow(/client is closed/);
  });

  it("a 1000 close by the server ends the client (no reconnect) unless onNormalClose", async () => {
    const server = await raw();
    const c = client(server.url);
    (await server.connection(1)).close(1000, "bye");
    expect(await stateOf(c, "closed")).toEqual({ state: "closed", code: 1000, reason: "bye" });
    const d = client(server.url, { reconnect: { initialDelay: 10, onNormalClose: true } });
    await stateOf(d, "open");
    (await server.connection(2)).close(1000, "bye");
    await stateOf(d, "reconnecting");
    await server.connection(3);
  });

  it("gives up after maxAttempts failed attempts and rejects held requests", async () => {
    const server = await raw();
    const port = server.port;
    await server.close();
    raws.length = 0;
    const c = client(`ws://127.0.0.1:${port}`, { reconnect: { initialDelay: 5, maxAttempts: 2, jitter: 0 } });
    const states = recordStates(c);
    const held = c.request("join", { room: "x" });
    await expect(held).rejects.toThrow(/will not reconnect/);
    expect(states.filter((s) => s.state === "reconnecting").map((s) => (s as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(c.state).toMatchObject({ state: "closed", code: 1006 });
  });

  it("close() rejects waiting requests, drops held sends, and later sends throw", async () => {
    const server = await raw();
    const c = client(server.url);
    await stateOf(c, "open");
    const waiting = c.request("join", { room: "x" });
    c.close(4100, "done");
    await expect(waiting).rejects.toThrow(ConnectionClosedError);
    expect(c.state).toEqual({ state: "closed", code: 4100, reason: "done" });
    expect(() => c.send("say", { text: "x" })).toThrow(ConnectionClosedError);
    const ws = await server.connection(1);
    const code = await new Promise<number>((resolve) => ws.once("close", resolve));
    expect(code).toBe(4100);
  });

  it("bounds requests awaiting an answer with maxPendingRequests", async () => {
    const server = await raw();
    const c = client(server.url, { maxPendingRequests: 2 });
    void c.request("join", { room: "1" }).catch(() => {});
    void c.request("join", { room: "2" }).catch(() => {});
    await expect(c.request("join", { room: "3" })).rejects.toThrow(/2 requests await an answer \(maxPendingRequests\)/);
  });
});

describe("liveness ($ping / $pong)", () => {
  it("sends $ping after interval ms of silence; an answer keeps the connection", async () => {
    const server = await raw();
    const c = client(server.url, { liveness: { interval: 50, timeout: 200 } });
    const ws = await server.connection(1);
    ws.on("message", (m) => {
      if (m.toString() === '{"type":"$ping"}') ws.send('{"type":"$pong"}');
    });
    await server.until(() => server.received.length >= 3);
    expect(new Set(server.received)).toEqual(new Set(['{"type":"$ping"}']));
    expect(c.state.state).toBe("open");
    expect(server.sockets).toHaveLength(1);
  });

  it("closes a silent connection with 4000 'liveness timeout' and reconnects", async () => {
    const server = await raw();
    const c = client(server.url, { liveness: { interval: 30, timeout: 60 } });
    const ws = await server.connection(1);
    const closed = new Promise<[number, string]>((resolve) => ws.once("close", (code, reason) => resolve([code, reason.toString()])));
    const lost = await stateOf(c, "reconnecting");
    expect(lost).toMatchObject({ code: LIVENESS_TIMEOUT, reason: "liveness timeout" });
    expect(await closed).toEqual([4000, "liveness timeout"]);
    expect(server.received).toEqual(['{"type":"$ping"}']);
    await server.connection(2);
  });

  it("is off by default: no $ping", async () => {
    const server = await raw();
    const c = client(server.url);
    await stateOf(c, "open");
    c.send("say", { text: "only this" });
    await server.message(1);
    expect(server.received).toEqual(['{"type":"say","text":"only this"}']);
  });
});

describe("connect options", () => {
  it("names every bad field in one ClientOptionsError", () => {
    const bad = () =>
      connect("ws://127.0.0.1:1", {
        WebSocket,
        reconnect: { initialDelay: -1, jitter: 2, bufferPolicy: "keep" as never, maxAtempts: 3 } as never,
        liveness: { interval: 0 },
        envelope: { dataField: "" },
      });
    expect(bad).toThrow(ClientOptionsError);
    expect(bad).toThrow(
      "Invalid connect options: reconnect.initialDelay must be a non-negative number of ms; got -1; reconnect.jitter must be from 0 to 1; got 2; " +
        'reconnect.bufferPolicy must be one of "drop-newest", "drop-oldest", "close"; got keep; reconnect.maxAtempts is not an option ' +
        "(known: initialDelay, maxDelay, multiplier, jitter, maxAttempts, onNormalClose, bufferLimit, bufferBytes, bufferPolicy); " +
        "liveness.interval must be a positive number of ms; got 0; envelope.dataField must be null or a non-empty string; got .",
    );
  });

  it("asks for a WebSocket class where the runtime has none", () => {
    const global = globalThis as { WebSocket?: unknown };
    const saved = global.WebSocket;
    delete global.WebSocket;
    try {
      expect(() => connect("ws://127.0.0.1:1")).toThrow(/this runtime has no global WebSocket, so pass one/);
    } finally {
      if (saved !== undefined) global.WebSocket = saved;
    }
  });
});

import "reflect-metadata";
import { container as root } from "tsyringe";
import { describe, expect, it } from "vitest";
import type { CompiledEndpoint } from "../../src/endpoint/compiled.js";
import { compileEndpoint } from "../../src/endpoint/compile-server.js";
import { compileSettings } from "../../src/endpoint/compile-settings.js";
import type { DefinitionProblem } from "../../src/errors.js";
import { CloseReason, OnClose, OnError, OnMessage, OnOpen, ServerEndpoint, Session } from "../../src/index.js";
import type { Logger } from "../../src/metrics/logger.js";
import { SessionDispatcher, type DispatchEnv } from "../../src/runtime/dispatcher.js";
import { WsSession } from "../../src/session/ws-session.js";
import { InMemoryTransport } from "../../src/testing/in-memory-transport.js";

// The dispatcher on its own: a compiled endpoint, a session over the in-memory transport, and the test
// as the peer. No server, no harness: what is checked here is the queue's ordering and error routing.

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function compile(type: new () => object): CompiledEndpoint {
  const problems: DefinitionProblem[] = [];
  const endpoint = compileEndpoint(type as never, compileSettings(1 << 20, undefined, root, problems));
  expect(problems).toEqual([]);
  return endpoint;
}

interface Rig<T> {
  t: InMemoryTransport;
  d: SessionDispatcher;
  instance: T;
  released: WsSession[];
  texts(): string[];
}

function open<T extends object>(type: new () => T, bounds: Partial<DispatchEnv> = {}): Rig<T> {
  const endpoint = compile(type);
  const t = new InMemoryTransport();
  const session = new WsSession(t, { path: "/", query: "", headers: {} as never, remoteAddress: "127.0.0.1", pathParams: {}, subprotocol: "" }, new Set(), endpoint.encode);
  const released: WsSession[] = [];
  const env: DispatchEnv = {
    logger: silent,
    handlerTimeouts: null,
    inboundQueueLimit: 1000,
    inboundQueueBytes: 1 << 20,
    inboundBudget: null,
    released: (s) => released.push(s),
    ...bounds,
  };
  const instance = new type();
  const d = new SessionDispatcher(endpoint, instance, session, env);
  t.bind(d);
  d.start();
  return { t, d, instance, released, texts: () => t.sent.filter((m) => m.type === "text").map((m) => m.data as string) };
}

describe("SessionDispatcher over the in-memory transport", () => {
  it("runs jobs one at a time in arrival order: an async @OnOpen holds the messages, an async handler the next ones", async () => {
    const gate = { open: deferred(), first: deferred() };
    @ServerEndpoint("/order")
    class Order {
      log: string[] = [];
      @OnOpen() async opened(): Promise<void> {
        this.log.push("open");
        await gate.open.promise;
        this.log.push("open done");
      }
      @OnMessage() async text(msg: string): Promise<string> {
        this.log.push(`in ${msg}`);
        if (msg === "a") await gate.first.promise;
        return `re ${msg}`;
      }
      @OnClose() closed(): void {
        this.log.push("close");
      }
    }
    const { t, d, instance, texts } = open(Order);
    t.peerSend("a");
    t.peerSend("b");
    await settle();
    expect(instance.log).toEqual(["open"]);
    expect(d.depth).toBe(2);
    gate.open.resolve();
    await settle();
    expect(instance.log).toEqual(["open", "open done", "in a"]);
    gate.first.resolve();
    await d.whenIdle();
    await settle();
    expect(instance.log).toEqual(["open", "open done", "in a", "in b"]);
    expect(texts()).toEqual(["re a", "re b"]);
  });

  it("handles a synchronous handler's message as it arrives, and its reply in order with later sends", async () => {
    @ServerEndpoint("/sync")
    class Sync {
      @OnMessage() text(msg: string, session: Session): string {
        session.getAsyncRemote().sendText(`first ${msg}`);
        return `reply ${msg}`;
      }
    }
    const { t, d, texts } = open(Sync);
    await d.whenIdle();
    t.peerSend("x");
    expect(d.depth).toBe(0);
    t.peerSend("y");
    await settle();
    expect(texts()).toEqual(["first x", "reply x", "first y", "reply y"]);
  });

  it("pauses reading past the inbound bounds while a handler runs, and resumes once the queue drained", async () => {
    const gate = deferred();
    @ServerEndpoint("/pause")
    class Slow {
      seen: string[] = [];
      @OnMessage() async text(msg: string): Promise<void> {
        this.seen.push(msg);
        if (msg === "0") await gate.promise;
      }
    }
    const { t, d, instance } = open(Slow, { inboundQueueLimit: 2 });
    await d.whenIdle();
    for (let i = 0; i < 4; i++) t.peerSend(String(i));
    expect(t.paused).toBe(true);
    gate.resolve();
    await d.whenIdle();
    expect(t.paused).toBe(false);
    expect(instance.seen).toEqual(["0", "1", "2", "3"]);
  });

  it("a close while a handler runs: @OnClose waits for it, runs once, last; the session is released once", async () => {
    const gate = deferred();
    @ServerEndpoint("/close")
    class Closing {
      log: string[] = [];
      @OnMessage() async text(msg: string): Promise<void> {
        this.log.push(`start ${msg}`);
        await gate.promise;
        this.log.push(`end ${msg}`);
      }
      @OnClose() closed(reason: CloseReason): void {
        this.log.push(`close ${reason.getCloseCode()}`);
      }
    }
    const { t, d, instance, released } = open(Closing);
    await d.whenIdle();
    t.peerSend("m");
    t.peerClose(1000, "bye");
    d.onClose(1000, "again"); // a second close event changes nothing
    await settle();
    expect(instance.log).toEqual(["start m"]);
    gate.resolve();
    await settle();
    expect(instance.log).toEqual(["start m", "end m", "close 1000"]);
    expect(released).toHaveLength(1);
    expect(d.finished).toBe(true);
  });

  it("routes each error to @OnError once: a throw, a rejection, and a failing @OnError is not re-routed", async () => {
    @ServerEndpoint("/errors")
    class Failing {
      errors: string[] = [];
      @OnMessage() async text(msg: string): Promise<void> {
        if (msg === "throw") throw new Error("thrown");
        await Promise.resolve();
        if (msg === "reject") throw new Error("rejected");
        if (msg === "loop") throw new Error("in handler");
      }
      @OnError() failed(error: Error): void {
        this.errors.push(error.message);
        if (error.message === "in handler") throw new Error("in @OnError");
      }
    }
    const logged: string[] = [];
    const logger: Logger = { ...silent, error: (_obj, msg) => void logged.push(msg ?? "") };
    const { t, d, instance } = open(Failing, { logger });
    await d.whenIdle();
    t.peerSend("throw");
    t.peerSend("reject");
    t.peerSend("loop");
    t.peerSend("fine");
    await d.whenIdle();
    await settle();
    expect(instance.errors).toEqual(["thrown", "rejected", "in handler"]);
    // @OnError's own failure is logged once, not routed back to it; the session goes on.
    expect(logged).toHaveLength(1);
    expect(t.isOpen).toBe(true);
  });
});

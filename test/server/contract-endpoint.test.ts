import "reflect-metadata";
import { describe, expect, expectTypeOf, it } from "vitest";
import { defineContract } from "../../src/contract/index.js";
import { EndpointDefinitionError, OnMessage, OnOpen, ServerEndpoint, Session, type EndpointClass } from "../../src/index.js";
import { MockSession } from "../../src/testing/index.js";
import { serverPerTest } from "../support/server-per-test.js";
import { chatContract, Confirm, Joined, JoinRequest, Said, SayMessage } from "../fixtures/contract/chat-contract.js";

// The `contract` option (issue 20): checked against the handlers at bootstrap; typed pushes and requests.

@ServerEndpoint({ path: "/chat", contract: chatContract })
class ChatEndpoint {
  @OnOpen() open(session: Session) {
    session.typed(chatContract).send("presence", { room: "lobby", online: 1 });
  }
  @OnMessage({ type: "say" }) say(m: SayMessage, session: Session) {
    session.typed(chatContract).send("said", { from: "ann", text: m.text });
  }
  @OnMessage({ type: "join", reply: Joined }) async join(j: JoinRequest, session: Session) {
    const { accepted } = await session.typed(chatContract).request("confirm", { question: `Join ${j.room}?` });
    return { type: "joined", room: accepted ? j.room : "lobby", online: 2 };
  }
}

const { start } = serverPerTest();

async function problemsOf(...endpoints: EndpointClass[]): Promise<string[]> {
  const error = await start(endpoints).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EndpointDefinitionError);
  return (error as EndpointDefinitionError).problems.map((p) => `${p.where}: ${p.problem} Fix: ${p.fix}`);
}

describe("an endpoint with a contract", () => {
  it("serves the contract: typed pushes, a server request inside a client request, the reply correlated by id", async () => {
    const server = await start([ChatEndpoint]);
    const c = await server.connect("/chat");
    expect(await c.nextText()).toBe('{"type":"presence","room":"lobby","online":1}');
    await c.send('{"type":"say","text":"hi"}');
    expect(await c.nextText()).toBe('{"type":"said","from":"ann","text":"hi"}');
    await c.send('{"type":"join","id":7,"room":"a"}');
    expect(await c.nextText()).toBe('{"type":"confirm","id":"s1","question":"Join a?"}');
    await c.send('{"type":"$reply","id":"s1","ok":true,"data":{"accepted":true}}');
    expect(await c.nextJson()).toEqual({ type: "joined", room: "a", online: 2, id: 7 });
  });

  it("lists every mismatch at bootstrap, each with its fix", async () => {
    @ServerEndpoint({ path: "/wrong", contract: chatContract })
    class Wrong {
      // `join` has no handler; `say` takes the wrong class; `shout` is not in the contract.
      @OnMessage({ type: "say" }) say(m: JoinRequest) {
        void m;
      }
      @OnMessage({ type: "shout" }) shout(m: SayMessage) {
        void m;
      }
    }
    expect(await problemsOf(Wrong)).toEqual([
      'Wrong: Wrong.say takes JoinRequest, but the contract\'s client message "say" carries SayMessage. Fix: declare the payload parameter as SayMessage (the class the client is typed by), or change the contract.',
      'Wrong: the contract\'s client message "join" has no handler. Fix: add @OnMessage({ type: "join" }) join(payload: JoinRequest) { … }, or remove it from the contract.',
      'Wrong: Wrong.shout handles "shout", which the contract\'s client section lacks, so typed clients can never send it. Fix: add shout: { payload: SayMessage } to the contract\'s client section, or remove the handler.',
    ]);
  });

  it("refuses a declared reply class other than the contract's, reserved names, and a contract that is not one", async () => {
    @ServerEndpoint({ path: "/reply", contract: { client: { join: { payload: JoinRequest, reply: Joined } }, server: { $tick: { payload: SayMessage }, error: { payload: SayMessage } } } })
    class BadReply {
      @OnMessage({ type: "join", reply: SayMessage }) join(j: JoinRequest) {
        return j;
      }
    }
    @ServerEndpoint({ path: "/junk", contract: { client: [] } as never })
    class Junk {
      @OnMessage() t(_: string) {}
    }
    const problems = await problemsOf(BadReply, Junk);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^BadReply: contract server message "\$tick": the name is reserved/);
    expect(problems[1]).toMatch(/^BadReply: contract server message "error": the name is reserved/);
    expect(problems[2]).toMatch(/^BadReply: BadReply.join replies SayMessage, but the contract's client message "join" expects Joined/);
    expect(problems[3]).toMatch(/^Junk: contract must be an object with a client and a server section/);
  });

  it("refuses sends of types the contract lacks at run time (JavaScript callers), requests of events, and another contract", () => {
    const session = new MockSession({ contract: chatContract });
    expect(() => session.send("nope", {})).toThrow(/contract has no server message of that type.*known: said, presence, confirm/);
    expect(() => session.request("said", {})).toThrow(/declares no reply for it; give it a reply in the contract, or use session.send/);
    expect(() => session.send("confirm", {})).toThrow(/declares it as a request/);
    expect(() => session.send("said", { type: "x" })).toThrow(/the payload has a "type" field/);
    expect(() => session.request("confirm", {}, { timeout: 0 })).toThrow(RangeError);
    expect(session.typed(chatContract)).toBe(session);
    expect(() => session.typed(defineContract({ client: {}, server: {} }))).toThrow(/declares another contract/);
  });
});

describe("session.typed(contract) types (compile-time)", () => {
  it("types pushes and requests by the contract's server messages", () => {
    const s = new MockSession({ contract: chatContract }).typed(chatContract);
    expectTypeOf(s.send<"said">).parameter(1).toEqualTypeOf<Said | { from: string; text: string }>();
    expectTypeOf(s.request<"confirm">).returns.toEqualTypeOf<Promise<{ accepted: boolean }>>();
    // A class instance or its wire form both pass.
    const confirm = new Confirm();
    confirm.question = "q";
    void s.request("confirm", confirm).catch(() => {});
    void s.request("confirm", { question: "q" }).catch(() => {});
    if (Math.random() > 2) {
      // @ts-expect-error not a server message of the contract
      s.send("say", { text: "x" });
      // @ts-expect-error a request is not pushed with send
      s.send("confirm", { question: "q" });
      // @ts-expect-error an event has no reply to wait for
      void s.request("said", { from: "a", text: "b" });
      // @ts-expect-error wrong payload
      s.send("said", { from: "a" });
      // @ts-expect-error presence's marker type wants online
      s.send("presence", { room: "a" });
    }
  });

  it("leaves the plain Session untyped: any name, any object, unknown reply", () => {
    const s: Session = new MockSession();
    expectTypeOf(s.request).returns.toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(s.send).parameter(0).toEqualTypeOf<string>();
  });
});

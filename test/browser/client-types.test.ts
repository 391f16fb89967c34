import { describe, expectTypeOf, it } from "vitest";
import { connect, type BrowserClient, type ClientState, type RecoveryRefusal, type RecoveryStatus } from "../../src/browser/index.js";
import { defineContract, payloadType } from "../../src/contract/index.js";
// The DTO classes of contract-types.test.ts: methods and a Date, as a server declares them.
import { Join, Joined, Say } from "../contract/sample-dtos.js";

const chat = defineContract({
  client: { say: { payload: Say }, join: { payload: Join, reply: Joined } },
  server: {
    said: { payload: payloadType<{ from: string; text: string }>() },
    confirm: { payload: payloadType<{ question: string }>(), reply: payloadType<{ yes: boolean }>() },
  },
});
type Chat = typeof chat;

// Never called: the checks are the compiler's (`npm run lint` type-checks test/).
function typed(client: BrowserClient<Chat>): void {
  client.send("say", { text: "hi" });
  // @ts-expect-error the payload field has the wrong type
  client.send("say", { text: 1 });
  // @ts-expect-error a required field is missing
  client.send("say", {});
  // @ts-expect-error the server has no "shout" message
  client.send("shout", { text: "hi" });
  // @ts-expect-error "join" expects a reply: it is a request, not an event
  client.send("join", { room: "a" });

  expectTypeOf(client.request("join", { room: "a" })).toEqualTypeOf<Promise<{ room: string; online: number; at: string }>>();
  client.request("join", { room: "a" }, { timeout: 500 });
  // @ts-expect-error the reply payload class's Date travels as a string
  client.request("join", { room: "a" }).then((j): Date => j.at);
  // @ts-expect-error "say" is an event: there is no reply to wait for
  client.request("say", { text: "hi" });
  // @ts-expect-error wrong payload for the request
  client.request("join", { name: "a" });

  client.on("said", (m) => expectTypeOf(m).toEqualTypeOf<{ from: string; text: string }>());
  // @ts-expect-error the server never sends "sed"
  client.on("sed", () => {});
  // @ts-expect-error "confirm" is a server request: answer it with handle()
  client.on("confirm", () => {});
  // @ts-expect-error a client message is not something the client receives
  client.on("say", () => {});

  client.handle("confirm", (q) => ({ yes: q.question.length > 0 }));
  client.handle("confirm", async () => ({ yes: true }));
  // @ts-expect-error the reply has the wrong shape
  client.handle("confirm", () => ({ yes: "sure" }));
  // @ts-expect-error "said" is an event: nothing to answer
  client.handle("said", () => ({}));
}

describe("browser client types", () => {
  it("checks sends, requests, listeners and handlers against the contract (see the @ts-expect-error lines)", () => {
    expectTypeOf(typed).toBeFunction();
    expectTypeOf(connect<Chat>).returns.toEqualTypeOf<BrowserClient<Chat>>();
  });

  it("describes each connection state with its own fields", () => {
    expectTypeOf<Extract<ClientState, { state: "reconnecting" }>>().toEqualTypeOf<{
      readonly state: "reconnecting";
      readonly attempt: number;
      readonly delay: number;
      readonly code: number;
      readonly reason: string;
    }>();
    expectTypeOf<Extract<ClientState, { state: "closed" }>>().toEqualTypeOf<{ readonly state: "closed"; readonly code: number; readonly reason: string }>();
  });

  it("types session recovery: the option, the status and its refusal reasons", () => {
    expectTypeOf<Extract<ClientState, { state: "open" }>>().toEqualTypeOf<{ readonly state: "open"; readonly recovery?: RecoveryStatus | null }>();
    expectTypeOf<BrowserClient<Chat>["recovery"]>().toEqualTypeOf<RecoveryStatus | null>();
    expectTypeOf<RecoveryStatus>().toEqualTypeOf<{
      readonly sessionId: string;
      readonly recovered: boolean;
      readonly refused: RecoveryRefusal | undefined;
      readonly offset: number;
    }>();
    expectTypeOf<"expired">().toExtend<RecoveryRefusal>();
    expectTypeOf<"unknown-token">().toExtend<RecoveryRefusal>();
    expectTypeOf<"gone">().not.toExtend<RecoveryRefusal>();
    // Never called: the checks are the compiler's.
    const options = (): void => {
      connect("ws://x/chat", { recovery: true });
      // @ts-expect-error recovery is on or off; its bounds are the server's
      connect("ws://x/chat", { recovery: { window: "2m" } });
    };
    expectTypeOf(options).toBeFunction();
    const reason = (c: BrowserClient<Chat>): string | undefined => c.recovery?.refused;
    expectTypeOf(reason).toBeFunction();
  });
});

// Without a contract: any name and object payload for events; requests need a contract to know their replies.
function untyped(client: BrowserClient): void {
  client.send("anything", { any: "fields" });
  client.on("whatever", (m) => expectTypeOf(m).toEqualTypeOf<object>());
  // @ts-expect-error no contract: nothing is known to have a reply
  client.request("join", {});
}
expectTypeOf(untyped).toBeFunction();

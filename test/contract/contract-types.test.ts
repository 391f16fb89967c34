import { describe, expectTypeOf, it } from "vitest";
import {
  defineContract,
  payloadType,
  type EventTypes,
  type MessagePayload,
  type ReplyPayload,
  type RequestTypes,
} from "../../src/contract/index.js";
import { Join, Joined, Say } from "./sample-dtos.js";

const chat = defineContract({
  client: { say: { payload: Say }, join: { payload: Join, reply: Joined } },
  server: { said: { payload: payloadType<{ from: string; text: string }>() } },
});
type Chat = typeof chat;

describe("contract types", () => {
  it("gives the wire type of each payload, methods dropped and dates as strings", () => {
    expectTypeOf<MessagePayload<Chat, "client", "say">>().toEqualTypeOf<{ text: string }>();
    expectTypeOf<ReplyPayload<Chat, "client", "join">>().toEqualTypeOf<{ room: string; online: number; at: string }>();
    expectTypeOf<MessagePayload<Chat, "server", "said">>().toEqualTypeOf<{ from: string; text: string }>();
  });

  it("splits requests from events", () => {
    expectTypeOf<RequestTypes<Chat, "client">>().toEqualTypeOf<"join">();
    expectTypeOf<EventTypes<Chat, "client">>().toEqualTypeOf<"say">();
    expectTypeOf<ReplyPayload<Chat, "client", "say">>().toBeNever();
  });
});

import { defineContract, payloadType } from "ws-endpoints/contract";
import { ChatMessage, JoinRequest, PrivateMessage } from "./messages.js";
import type { ChatLine, PresenceNotice, PrivateLine, Welcome } from "./protocol.js";

/**
 * Every message of the chat, by sender: the server's DTO classes for what clients send, payload types for
 * what the server sends. A TypeScript front end imports its type only (`import type { ChatContract }`),
 * so `connect<ChatContract>` checks each send and listener against the DTOs the server validates with.
 * Application errors (`USER_OFFLINE`, `NICKNAME_TAKEN`, …) travel in the framework's error envelope
 * (`{"type":"error","code":…,"message":…}`): a refused `join` rejects its request with that code, and
 * the others reach `client.on("error", …)`, like the framework's own validation errors. So `error` is not
 * a contract message (the name is reserved for exactly that envelope).
 */
export const chatContract = defineContract({
  client: {
    join: { payload: JoinRequest, reply: payloadType<Welcome>() },
    chat: { payload: ChatMessage },
    private: { payload: PrivateMessage },
  },
  server: {
    joined: { payload: payloadType<PresenceNotice>() },
    left: { payload: payloadType<PresenceNotice>() },
    chat: { payload: payloadType<ChatLine>() },
    private: { payload: payloadType<PrivateLine>() },
  },
});
export type ChatContract = typeof chatContract;

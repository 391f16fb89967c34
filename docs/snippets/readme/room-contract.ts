// The contract of the README's RoomEndpoint, for its browser example (room-client.ts).
import { defineContract, payloadType } from "ws-endpoints/contract";

export const roomContract = defineContract({
  client: { say: { payload: payloadType<{ text: string }>(), reply: payloadType<Record<string, never>>() } },
  server: { said: { payload: payloadType<{ text: string }>() } },
});
export type RoomContract = typeof roomContract;

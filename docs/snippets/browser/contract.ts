// The chat's contract: the server validates with these DTO classes; the front end imports only its type.
import { IsString, Length, MaxLength } from "class-validator";
import { defineContract, payloadType } from "ws-endpoints/contract";

export class JoinRequest {
  @IsString() @Length(1, 20) room!: string;
}

export class SayMessage {
  @IsString() @MaxLength(500) text!: string;
}

export const chatContract = defineContract({
  client: {
    join: { payload: JoinRequest, reply: payloadType<{ room: string; online: number }>() },
    say: { payload: SayMessage },
  },
  server: {
    said: { payload: payloadType<{ from: string; text: string }>() },
    confirm: { payload: payloadType<{ question: string }>(), reply: payloadType<{ yes: boolean }>() },
  },
});
export type ChatContract = typeof chatContract;

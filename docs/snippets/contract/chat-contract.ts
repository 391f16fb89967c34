import { IsBoolean, IsInt, IsString, Length } from "class-validator";
import { defineContract, payloadType } from "ws-endpoints/contract";

export class SayMessage {
  @IsString() @Length(1, 500) text!: string;
}
export class JoinRequest {
  @IsString() @Length(1, 64) room!: string;
}
export class Joined {
  @IsString() room!: string;
  @IsInt() online!: number;
}
export class Said {
  @IsString() from!: string;
  @IsString() text!: string;
}
export class Confirm {
  @IsString() question!: string;
}
export class Confirmed {
  @IsBoolean() accepted!: boolean;
}

export const chatContract = defineContract({
  client: {
    say: { payload: SayMessage },
    join: { payload: JoinRequest, reply: Joined },
  },
  server: {
    said: { payload: Said },
    presence: { payload: payloadType<{ room: string; online: number }>() },
    confirm: { payload: Confirm, reply: Confirmed },
  },
});
export type ChatContract = typeof chatContract;

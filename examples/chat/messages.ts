import { Transform } from "class-transformer";
import { IsNotEmpty, IsString, Matches, MaxLength } from "class-validator";
import { MAX_TEXT, NICKNAME } from "./protocol.js";

const trim = ({ value }: { value: unknown }) => (typeof value === "string" ? value.trim() : value);

/** `{"type":"join","nickname":"ada","id":1}`: a request; the reply is the welcome (or an error) with the same id. */
export class JoinRequest {
  @Transform(trim)
  @IsString()
  @Matches(NICKNAME, { message: "nickname must be 1-20 letters, digits, _ - or ." })
  nickname!: string;
}

/** `{"type":"chat","text":"hello"}`: to everyone. Decoded and validated before the handler runs. */
export class ChatMessage {
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: "text must not be empty" })
  @MaxLength(MAX_TEXT, { message: `text must be at most ${MAX_TEXT} characters` })
  text!: string;
}

/** `{"type":"private","to":"bob","text":"psst"}`: to one user by nickname. */
export class PrivateMessage extends ChatMessage {
  @IsString()
  @Matches(NICKNAME, { message: "to must be a nickname: 1-20 letters, digits, _ - or ." })
  to!: string;
}

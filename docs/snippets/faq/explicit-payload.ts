import { OnMessage, Payload, ServerEndpoint } from "ws-endpoints";

// Works under tsx/esbuild too: the payload type is given explicitly instead of read from metadata.
@ServerEndpoint("/shout")
export class ShoutEndpoint {
  @OnMessage()
  shout(@Payload(String) text: string): string {
    return text.toUpperCase();
  }
}

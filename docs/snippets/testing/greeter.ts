import { injectable } from "tsyringe";
import { OnMessage, OnOpen, PathParam, ServerEndpoint, Session } from "ws-endpoints";

@injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

@ServerEndpoint("/greet/{name}")
export class GreeterEndpoint {
  constructor(private readonly clock: Clock) {}

  @OnOpen()
  open(session: Session, @PathParam("name") name: string): void {
    session.getAsyncRemote().sendObject({ hello: name, at: this.clock.now().toISOString() });
  }

  @OnMessage()
  message(text: string): string {
    if (text.length > 100) throw new RangeError("too long");
    return text.toUpperCase();
  }
}

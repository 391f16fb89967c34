import "reflect-metadata";
import { container as root } from "tsyringe";
import { afterEach, describe, expect, it } from "vitest";
import { OnMessage, OnOpen, PathParam, ServerEndpoint, Session } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";

@ServerEndpoint("/shapes/{room}")
class Shapes {
  @OnOpen() open(session: Session): void {
    session.getAsyncRemote().sendText(`open ${session.getPathParameters().room}`);
  }
  // (session, payload): the reverse of the usual order
  @OnMessage() text(session: Session, msg: string): string {
    return `${msg} from ${session.getPathParameters().room}`;
  }
  // (payload, path parameter): resolved from the invocation context
  @OnMessage() bytes(data: Buffer, @PathParam("room") room: string): string {
    return `${data.length} bytes in ${room}`;
  }
}

@ServerEndpoint("/methods")
class Greeter {
  @OnMessage() text(msg: string): string {
    return `base ${msg}`;
  }
}

class LoudGreeter extends Greeter {
  override text(msg: string): string {
    return `sub ${msg.toUpperCase()}`;
  }
}

@ServerEndpoint("/wrapped")
class Wrapped {
  calls = 0;
  constructor() {
    // A wrapper set in the constructor shadows the decorated method: it is what runs.
    const original = this.text.bind(this);
    this.text = (msg: string) => `wrapped(${original(msg)}) #${++this.calls}`;
  }
  @OnMessage() text(msg: string): string {
    return msg;
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("how handlers are called", () => {
  it("passes session and payload in the declared order, and resolves other parameters", async () => {
    server = await TestServer.start([Shapes]);
    const c = await server.connect("/shapes/lobby");
    expect(await c.nextText()).toBe("open lobby");
    await c.send("hi");
    expect(await c.nextText()).toBe("hi from lobby");
    c.ws.send(Buffer.from([1, 2, 3]));
    expect(await c.nextText()).toBe("3 bytes in lobby");
  });

  it("calls the method of the instance a container provides (a subclass), not the decorated class's", async () => {
    const container = root.createChildContainer();
    container.register(Greeter, { useClass: LoudGreeter });
    server = await TestServer.start([Greeter], { container });
    const c = await server.connect("/methods");
    await c.send("hi");
    expect(await c.nextText()).toBe("sub HI");
  });

  it("calls a handler an instance shadows with its own property", async () => {
    server = await TestServer.start([Wrapped]);
    const c = await server.connect("/wrapped");
    await c.send("a");
    expect(await c.nextText()).toBe("wrapped(a) #1");
  });
});

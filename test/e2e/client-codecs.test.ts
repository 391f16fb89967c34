import "reflect-metadata";
import { IsNumber, IsString, Length } from "class-validator";
import { afterEach, describe, expect, it } from "vitest";
import {
  ClientEndpoint,
  DecodeError,
  OnError,
  OnMessage,
  ServerEndpoint,
  type Encoder,
} from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { ClientSessions } from "../client/client-sessions.js";
import { Inbox } from "../client/signals.js";

// Client endpoints use the server's codec machinery: DTO validation, typed routing, encoders.
let serverLog = new Inbox<string>();
let clientLog = new Inbox<string>();

@ServerEndpoint("/relay")
class Relay {
  @OnMessage() text(msg: string) {
    serverLog.push(msg);
    return msg.startsWith("{") ? msg : undefined;
  }
}

class Quote {
  @IsString() @Length(1, 8) symbol!: string;
  @IsNumber() price!: number;
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

class PointEncoder implements Encoder.Text<Point> {
  static readonly encodes = Point;
  encode(p: Point): string {
    return `${p.x},${p.y}`;
  }
}

@ClientEndpoint({ encoders: [PointEncoder], invalidMessages: "on-error" })
class QuoteClient {
  @OnMessage({ type: "quote" }) quote(q: Quote) {
    clientLog.push(`quote ${q.symbol} ${q.price} ${q instanceof Quote}`);
  }
  @OnError() error(e: Error) {
    clientLog.push(e instanceof DecodeError ? `decode-error ${e.reason} ${e.errors.map((f) => f.path).join(",")}` : `error ${e.message}`);
  }
}

const clients = new ClientSessions(QuoteClient);
let server: TestServer | undefined;

afterEach(async () => {
  await clients.closeAll();
  await server?.close();
  serverLog = new Inbox();
  clientLog = new Inbox();
});

describe("client endpoint codecs", () => {
  it("decodes and validates a DTO routed by envelope type", async () => {
    server = await TestServer.start([Relay]);
    const session = await clients.connect(`${server.url}/relay`);
    await session.getBasicRemote().sendText(JSON.stringify({ type: "quote", symbol: "ACME", price: 12.5 }));
    expect(await clientLog.next()).toBe("quote ACME 12.5 true");
  });

  it("hands an invalid message to @OnError as a DecodeError naming the fields, and keeps the connection", async () => {
    server = await TestServer.start([Relay]);
    const session = await clients.connect(`${server.url}/relay`);
    await session.getBasicRemote().sendText(JSON.stringify({ type: "quote", symbol: "", price: "x" }));
    expect(await clientLog.next()).toBe("decode-error VALIDATION_FAILED symbol,price");
    await session.getBasicRemote().sendText(JSON.stringify({ type: "nope" }));
    expect(await clientLog.next()).toBe("decode-error UNKNOWN_MESSAGE_TYPE type");
    await session.getBasicRemote().sendText(JSON.stringify({ type: "quote", symbol: "OK", price: 1 }));
    expect(await clientLog.next()).toBe("quote OK 1 true");
    expect(session.isConnected()).toBe(true);
  });

  it("encodes sendObject with the endpoint's encoders", async () => {
    server = await TestServer.start([Relay]);
    const session = await clients.connect(`${server.url}/relay`);
    await session.getBasicRemote().sendObject(new Point(3, 4));
    expect(await serverLog.next()).toBe("3,4");
  });
});

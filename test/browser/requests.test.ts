import "reflect-metadata";
import { IsString, Length, MaxLength } from "class-validator";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { OnMessage, ServerEndpoint } from "../../src/index.js";
import { connect, RequestError, RequestTimeoutError, type BrowserClient } from "../../src/browser/index.js";
import { defineContract } from "../../src/contract/index.js";
import { serverPerTest } from "../support/server-per-test.js";
import { RawServer } from "./support.js";

class Say {
  @IsString() @MaxLength(20) text!: string;
}
class Join {
  @IsString() @Length(1, 16) room!: string;
}
class Joined {
  room!: string;
  online!: number;
}
class Said {
  from!: string;
  text!: string;
}

/** The test endpoint's contract, plus `nope`, which the server does not handle. */
const contract = defineContract({
  client: {
    say: { payload: Say },
    join: { payload: Join, reply: Joined },
    stall: { payload: Join, reply: Joined },
    nope: { payload: Join, reply: Joined },
  },
  server: { said: { payload: Said } },
});
type Contract = typeof contract;

@ServerEndpoint("/chat")
class Chat {
  @OnMessage({ type: "say" }) say(m: Say) {
    // An application error in the framework's error envelope, answering no request.
    if (m.text === "full") return { type: "error", code: "ROOM_FULL", message: "The room is full." };
    return { type: "said", from: "server", text: m.text };
  }
  @OnMessage({ type: "join" }) async join(j: Join) {
    await Promise.resolve();
    return { type: "joined", room: j.room, online: 1 };
  }
  @OnMessage({ type: "stall" }) stall(_j: Join): void {}
}

const servers = serverPerTest();
const clients: BrowserClient<Contract>[] = [];
const raws: RawServer[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(raws.splice(0).map((r) => r.close()));
});

async function chat(): Promise<BrowserClient<Contract>> {
  const server = await servers.start([Chat]);
  const client = connect<Contract>(`${server.url}/chat`, { WebSocket, reconnect: false, onError: (e) => { throw e; } });
  clients.push(client);
  return client;
}

describe("browser client against a bootstrap server: events and requests", () => {
  it("sends typed events and hears the server's messages; sends before the connection opens go out once it does", async () => {
    const client = await chat();
    const heard: Said[] = [];
    const got = new Promise<void>((resolve) => client.on("said", (m) => heard.push(m) === 2 && resolve()));
    client.send("say", { text: "one" }); // still connecting: held, then sent in order
    client.send("say", { text: "two" });
    expect(client.buffered.count).toBe(2);
    await got;
    expect(heard).toEqual([{ from: "server", text: "one" }, { from: "server", text: "two" }]);
    expect(client.buffered).toEqual({ count: 0, bytes: 0 });
  });

  it('on("error") hears error messages that answer no request: the framework\'s VALIDATION_FAILED for a send, and application errors', async () => {
    const client = await chat();
    const errors: RequestError[] = [];
    const heard: Said[] = [];
    client.on("said", (m) => heard.push(m));
    const two = new Promise<void>((resolve) => client.on("error", (e) => errors.push(e) === 2 && resolve()));
    client.send("say", { text: "far more than twenty characters" });
    client.send("say", { text: "full" });
    await two;
    expect(errors.map((e) => [e.constructor, e.code, e.message])).toEqual([
      [RequestError, "VALIDATION_FAILED", "a message failed: VALIDATION_FAILED (text must be shorter than or equal to 20 characters)"],
      [RequestError, "ROOM_FULL", "The room is full."],
    ]);
    expect(errors[0]!.errors.map((f) => f.path)).toEqual(["text"]);
    expect(heard).toEqual([]);
  });

  it("resolves a request with the reply that carries its id, payload without type and id", async () => {
    const client = await chat();
    const [a, b] = await Promise.all([client.request("join", { room: "a" }), client.request("join", { room: "b" })]);
    expect(a).toEqual({ room: "a", online: 1 });
    expect(b).toEqual({ room: "b", online: 1 });
  });

  it("rejects with RequestError carrying the server's VALIDATION_FAILED fields", async () => {
    const client = await chat();
    const error = await client.request("join", { room: "" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    const e = error as RequestError;
    expect(e.code).toBe("VALIDATION_FAILED");
    expect(e.name).toBe("RequestError");
    expect(e.errors.map((f) => f.path)).toEqual(["room"]);
    expect(e.message).toMatch(/"join" failed: VALIDATION_FAILED \(room must be longer than or equal to 1 characters\)/);
  });

  it("rejects with UNKNOWN_MESSAGE_TYPE and the accepted types for a request the server does not handle", async () => {
    const client = await chat();
    const e = (await client.request("nope", { room: "x" }).catch((x: unknown) => x)) as RequestError;
    expect(e).toBeInstanceOf(RequestError);
    expect(e.code).toBe("UNKNOWN_MESSAGE_TYPE");
    expect([...(e.accepted ?? [])].sort()).toEqual(["join", "say", "stall"]);
  });

  it("rejects with RequestTimeoutError when no answer comes, and ignores nothing else meanwhile", async () => {
    const client = await chat();
    const e = (await client.request("stall", { room: "x" }, { timeout: 150 }).catch((x: unknown) => x)) as RequestTimeoutError;
    expect(e).toBeInstanceOf(RequestTimeoutError);
    expect(e.code).toBe("REQUEST_TIMEOUT");
    expect(e.timeout).toBe(150);
    // The connection is still usable.
    await expect(client.request("join", { room: "after" })).resolves.toEqual({ room: "after", online: 1 });
  });
});

describe("browser client envelope options", () => {
  it("puts the payload under dataField and reads replies the same way", async () => {
    const raw = await RawServer.start();
    raws.push(raw);
    const client = connect<Contract>(raw.url, { WebSocket, reconnect: false, envelope: { typeField: "t", idField: "ref", dataField: "data" } });
    clients.push(client);
    const reply = client.request("join", { room: "a" });
    expect(JSON.parse(await raw.message(1))).toEqual({ t: "join", data: { room: "a" }, ref: 1 });
    (await raw.connection(1)).send(JSON.stringify({ t: "joined", data: { room: "a", online: 3 }, ref: 1 }));
    await expect(reply).resolves.toEqual({ room: "a", online: 3 });
  });
});

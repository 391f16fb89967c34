import "reflect-metadata";
import { IsBoolean, IsString, MaxLength } from "class-validator";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { OnMessage, RequestFailedError, ServerEndpoint, Session } from "../../src/index.js";
import { connect, LIVENESS_TIMEOUT, type BrowserClient } from "../../src/browser/index.js";
import { defineContract } from "../../src/contract/index.js";
import { serverPerTest } from "../support/server-per-test.js";
import { recordStates, stateOf } from "./support.js";

// The browser client and the server's side of issue 20 together: a contract checked at bootstrap, a
// server handler that asks the client (session.request) and the client's handle() answering it.

class Ask {
  @IsString() @MaxLength(40) question!: string;
}
class Answered {
  question!: string;
  accepted!: boolean;
}
class Confirm {
  @IsString() question!: string;
}
class Confirmation {
  @IsBoolean() accepted!: boolean;
}

const contract = defineContract({
  client: { ask: { payload: Ask, reply: Answered } },
  server: { confirm: { payload: Confirm, reply: Confirmation } },
});
type Contract = typeof contract;

@ServerEndpoint({ path: "/desk", contract })
class Desk {
  // Asks the client before answering its request: the $reply is matched before the session's queue,
  // so the handler awaiting it does not hold its own answer back.
  @OnMessage({ type: "ask" }) async ask(m: Ask, session: Session) {
    try {
      const { accepted } = await session.typed(contract).request("confirm", { question: m.question }, { timeout: 5000 });
      return { type: "answered", question: m.question, accepted };
    } catch (error) {
      failures.push(error instanceof RequestFailedError ? error.reason : String(error));
      return { type: "answered", question: m.question, accepted: false };
    }
  }
}
const failures: string[] = [];

const servers = serverPerTest();
const clients: BrowserClient<Contract>[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  failures.length = 0;
});

async function desk(): Promise<BrowserClient<Contract>> {
  const server = await servers.start([Desk]);
  const client = connect<Contract>(`${server.url}/desk`, { WebSocket, reconnect: false });
  clients.push(client);
  return client;
}

describe("browser client against a server that asks back (session.request and handle)", () => {
  it("answers the server's request from its handler; the server's reply to the client's request carries the answer", async () => {
    const client = await desk();
    const asked: string[] = [];
    client.handle("confirm", (p) => {
      asked.push(p.question);
      return { accepted: p.question.endsWith("?") };
    });
    const [yes, no] = await Promise.all([client.request("ask", { question: "ok?" }), client.request("ask", { question: "never" })]);
    expect(yes).toEqual({ question: "ok?", accepted: true });
    expect(no).toEqual({ question: "never", accepted: false });
    expect(asked.sort()).toEqual(["never", "ok?"]);
  });

  it("a client handler that throws fails the server's request with the client's code", async () => {
    const client = await desk();
    client.handle("confirm", () => {
      throw new Error("no");
    });
    expect(await client.request("ask", { question: "ok?" }, { timeout: 5000 })).toEqual({ question: "ok?", accepted: false });
    expect(failures).toEqual(["HANDLER_FAILED"]);
  });
});

// Liveness end to end: the server's `liveness: true` answers `$ping` with `$pong` before dispatch. The
// client counts any message as life, so these tests look at the frames themselves: the control endpoint
// (no liveness) must make the client time out, or the first test proves nothing.
const seenByHandler: string[] = [];
@ServerEndpoint({ path: "/alive", liveness: true })
class Alive {
  @OnMessage() text(t: string): void {
    seenByHandler.push(t);
  }
}
@ServerEndpoint("/mute")
class Mute {
  @OnMessage() text(t: string): void {
    seenByHandler.push(t);
  }
}

/** A `ws` WebSocket that records every text frame the client receives, and resolves `pongs(n)` at the n-th `$pong`. */
function recordingSocket() {
  const frames: string[] = [];
  const waiting: Array<[number, () => void]> = [];
  class Recording extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.on("message", (data) => {
        frames.push(String(data));
        const n = frames.filter((f) => f === '{"type":"$pong"}').length;
        for (const [want, resolve] of waiting) if (n >= want) resolve();
      });
    }
  }
  const pongs = (n: number) => new Promise<void>((resolve) => waiting.push([n, resolve]));
  return { Recording, frames, pongs };
}

describe("liveness against a real endpoint ($ping / $pong)", () => {
  afterEach(() => void (seenByHandler.length = 0));

  it("an endpoint with liveness: true answers every $ping with $pong before dispatch; the client stays open", async () => {
    const server = await servers.start([Alive]);
    const { Recording, frames, pongs } = recordingSocket();
    const client = connect(`${server.url}/alive`, { WebSocket: Recording, reconnect: false, liveness: { interval: 20, timeout: 1000 } });
    // After a $ping the client looks again only when `timeout` has passed, so $pings go about 1 s apart.
    const states = recordStates(client);
    // A missing $pong ends the client within 1 s of its $ping (4000 "liveness timeout"), failing the race below.
    await Promise.race([pongs(2), stateOf(client, "closed").then((s) => Promise.reject(new Error(`closed: ${JSON.stringify(s)}`)))]);
    client.close();
    expect(frames.slice(0, 2)).toEqual(['{"type":"$pong"}', '{"type":"$pong"}']);
    expect(seenByHandler).toEqual([]);
    expect(states.filter((s) => s.state !== "closed").map((s) => s.state)).toEqual(["open"]);
  });

  it("control: against an endpoint without liveness the $ping reaches the handler, no $pong comes, and the client times out with 4000", async () => {
    const server = await servers.start([Mute]);
    const { Recording, frames } = recordingSocket();
    const client = connect(`${server.url}/mute`, { WebSocket: Recording, reconnect: false, liveness: { interval: 20, timeout: 100 } });
    const closed = await stateOf(client, "closed");
    expect(closed).toMatchObject({ code: LIVENESS_TIMEOUT, reason: "liveness timeout" });
    expect(frames).toEqual([]);
    expect(seenByHandler).toEqual(['{"type":"$ping"}']);
  });
});

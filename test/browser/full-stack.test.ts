import "reflect-metadata";
import { IsBoolean, IsString, MaxLength } from "class-validator";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { OnMessage, RequestFailedError, ServerEndpoint, Session } from "../../src/index.js";
import { connect, type BrowserClient } from "../../src/browser/index.js";
import { defineContract } from "../../src/contract/index.js";
import { serverPerTest } from "../support/server-per-test.js";

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

/** The endpoint every independent client talks to, and the observations each client reports. */
import "reflect-metadata";
import { CloseReason, OnClose, OnMessage, PongMessage, ServerEndpoint, Session } from "../../../src/index.js";

/** @OnClose calls seen by the server: "code reason". */
export const serverCloses: string[] = [];
let closeWaiters: Array<() => void> = [];

/** Resolves once the server has seen `n` closes in total (a client may see its close before @OnClose runs). */
export function whenServerCloses(n: number, timeoutMs = 10_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server saw ${serverCloses.length} of ${n} closes`)), timeoutMs);
    const check = (): void => {
      if (serverCloses.length >= n) {
        clearTimeout(timer);
        resolve([...serverCloses]);
      } else closeWaiters.push(check);
    };
    check();
  });
}

@ServerEndpoint("/interop")
export class InteropEndpoint {
  @OnMessage() async text(msg: string, session: Session): Promise<string | undefined> {
    switch (msg) {
      case "server-fragments": {
        const basic = session.getBasicRemote();
        await basic.sendText("frag-", false);
        await basic.sendText("ment-", false);
        await basic.sendText("ed", true);
        return undefined;
      }
      case "ping-me":
        await session.getBasicRemote().sendPing(Buffer.from("srv"));
        return undefined;
      case "close-me":
        session.close(new CloseReason(4002, "server bye"));
        return undefined;
      default:
        return msg;
    }
  }

  @OnMessage() binary(data: Buffer): Buffer {
    return data;
  }

  @OnMessage() pong(pong: PongMessage, session: Session) {
    session.getAsyncRemote().sendText(`pong:${pong.getApplicationData().toString()}`);
  }

  @OnClose() close(reason: CloseReason) {
    serverCloses.push(`${reason.getCloseCode()} ${reason.getReasonPhrase()}`);
    const waiters = closeWaiters;
    closeWaiters = [];
    for (const w of waiters) w();
  }
}

/** What a client observed; fields a client cannot do (browsers: fragment, ping) are absent. */
export interface Observations {
  echoText: string;
  echoBinaryHex: string;
  echoUnicode: string;
  fragmented?: string;
  pong?: string;
  serverFragments: string;
  serverPing: string;
  closeCode: number;
  closeReason: string;
  serverCloseCode: number;
  serverCloseReason: string;
}

export const UNICODE = "héllo ✓ 😀";

/** What every client must observe. */
export const EXPECTED: Observations = {
  echoText: "hello",
  echoBinaryHex: "010203ff",
  echoUnicode: UNICODE,
  fragmented: "fragmented",
  pong: "p1",
  serverFragments: "frag-ment-ed",
  serverPing: "pong:srv",
  closeCode: 4001,
  closeReason: "bye",
  serverCloseCode: 4002,
  serverCloseReason: "server bye",
};

/**
 * Close codes the server's @OnClose saw after one client run: the client's close, then the server-initiated
 * one (as echoed by the client; clients may or may not echo the reason, so only codes are compared).
 */
export const EXPECTED_SERVER_CLOSE_CODES = ["4001", "4002"];

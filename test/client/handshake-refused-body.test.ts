import "reflect-metadata";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ClientEndpoint, Configurator, HandshakeRefusedError, HandshakeRejectedError, OnMessage, ServerEndpoint, type HandshakeRequest } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { ClientSessions } from "./client-sessions.js";

@ClientEndpoint()
class Quiet {
  @OnMessage() m(_text: string) {}
}

class DenyAll extends Configurator {
  override authenticate(_request: HandshakeRequest): string {
    throw new HandshakeRejectedError(403, "account suspended until 2027-01-01");
  }
}

@ServerEndpoint({ path: "/denied", configurator: DenyAll })
class Denied {
  @OnMessage() m(text: string) {
    return text;
  }
}

const clients = new ClientSessions(Quiet);
let server: TestServer | undefined;
let http: Server | undefined;

afterEach(async () => {
  await clients.closeAll();
  await server?.close();
  await new Promise((r) => (http ? http.close(r) : r(undefined)));
  server = http = undefined;
});

/** A plain HTTP server that answers every upgrade with `status` and `body`. */
async function refusing(status: number, body: string | Buffer): Promise<string> {
  http = createServer((_req, res) => res.writeHead(500).end());
  http.on("upgrade", (_req, socket) => {
    // The client hangs up once it has read its 4 KiB: the rest of a long body meets a reset.
    socket.on("error", () => {});
    const bytes = Buffer.from(body);
    socket.write(`HTTP/1.1 ${status} No\r\nConnection: close\r\nContent-Length: ${bytes.length}\r\n\r\n`);
    socket.end(bytes);
  });
  await new Promise<void>((r) => http!.listen(0, "127.0.0.1", r));
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}/x`;
}

describe("HandshakeRefusedError keeps the body the server sent", () => {
  it("with this project's server: the reason given to HandshakeRejectedError reaches the client", async () => {
    server = await TestServer.start([Denied]);
    const error = await clients.connect(`${server.url}/denied`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect((error as HandshakeRefusedError).status).toBe(403);
    expect((error as HandshakeRefusedError).body).toBe("Forbidden: account suspended until 2027-01-01\n");
    expect((error as Error).message).toContain("account suspended until 2027-01-01");
  });

  it("from any server, bounded to the first 4 KiB however much it sends", async () => {
    const url = await refusing(401, "x".repeat(1024 * 1024));
    const error = (await clients.connect(url).catch((e: unknown) => e)) as HandshakeRefusedError;
    expect(error).toBeInstanceOf(HandshakeRefusedError);
    expect(error.status).toBe(401);
    expect(error.body).toBe("x".repeat(4096));
    expect(error.message.length).toBeLessThan(1024);
  });

  it("an empty body stays empty and the message stays as before", async () => {
    const url = await refusing(401, "");
    const error = (await clients.connect(url).catch((e: unknown) => e)) as HandshakeRefusedError;
    expect(error.body).toBe("");
    expect(error.message).toBe(`The server at ${url} refused the WebSocket upgrade with HTTP 401 No.`);
  });
});

import "reflect-metadata";
import { createServer, request } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import {
  bootstrap,
  InvalidOptionsError,
  OnMessage,
  ServerEndpoint,
  silentLogger,
  type ServerHandle,
} from "../../src/index.js";

@ServerEndpoint("/ws/echo")
class Echo {
  @OnMessage() m(text: string) {
    return text;
  }
}

let handle: ServerHandle | undefined;
afterEach(async () => {
  await handle?.close();
  handle = undefined;
});

/** Sends raw request bytes and returns the status line and body the server wrote. */
function rawHttp(port: number, requestText: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(requestText));
    let data = "";
    socket.on("data", (d) => (data += d.toString()));
    socket.on("end", () => resolve(data));
    socket.on("error", reject);
    socket.setTimeout(5000, () => reject(new Error("no answer")));
  });
}

const upgrade = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;

describe("bootstrap", () => {
  it("answers an unknown path with a real HTTP/1.1 404 before any upgrade", async () => {
    handle = await bootstrap({ endpoints: [Echo], port: 0, host: "127.0.0.1", logger: silentLogger });
    const reply = await rawHttp(handle.address.port, upgrade("/nope"));
    expect(reply).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(reply).toContain("Connection: close");
    expect(reply.endsWith("\r\n\r\nNot Found\n")).toBe(true);
  });

  it("answers a plain request on an endpoint path with 426 Upgrade Required", async () => {
    handle = await bootstrap({ endpoints: [Echo], port: 0, host: "127.0.0.1", logger: silentLogger });
    const status = await new Promise<{ code?: number; upgrade?: string }>((resolve) => {
      request({ port: handle!.address.port, host: "127.0.0.1", path: "/ws/echo" }, (res) => {
        res.resume();
        resolve({ code: res.statusCode, upgrade: res.headers.upgrade });
      }).end();
    });
    expect(status).toEqual({ code: 426, upgrade: "websocket" });
  });

  it("attaches to an existing HTTP server, leaving its routes and other upgrade listeners alone", async () => {
    const http = createServer((_req, res) => res.end("app route"));
    const other = new WebSocketServer({ noServer: true });
    http.on("upgrade", (req, socket, head) => {
      if (req.url === "/other") other.handleUpgrade(req, socket, head, (ws) => ws.send("from other"));
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    handle = await bootstrap({ endpoints: [Echo], server: http, logger: silentLogger });
    const port = handle.address.port;
    expect(await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())).toBe("app route");

    const echo = new WebSocket(`ws://127.0.0.1:${port}/ws/echo`);
    await new Promise((r) => echo.once("open", r));
    echo.send("hi");
    expect(String(await new Promise((r) => echo.once("message", r)))).toBe("hi");

    const o = new WebSocket(`ws://127.0.0.1:${port}/other`);
    expect(String(await new Promise((r) => o.once("message", r)))).toBe("from other");
    o.close();
    echo.close();
    await handle.close();
    handle = undefined;
    // bootstrap did not start this server, so it must not have closed it.
    expect(http.listening).toBe(true);
    await new Promise((r) => http.close(r));
    other.close();
  });

  it("rejects bad options, naming every field at once", async () => {
    const error = await bootstrap({ endpoints: [Echo], port: 70000, maxMessageSize: -1, colour: "red" } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).code).toBe("WSE_ERR_INVALID_OPTIONS");
    const message = (error as Error).message;
    expect(message).toMatch(/^Invalid bootstrap options: unknown option "colour" \(known: endpoints, port, host, server, [^)]*\); /);
    expect(message).toContain("; port must be an integer from 0 to 65535; got 70000; maxMessageSize must be a positive integer; got -1.");
    await expect(bootstrap({ server: createServer(), port: 1 })).rejects.toThrow(/either server .* or port\/host/);
  });

  it("discovers imported @ServerEndpoint classes when no list is given", async () => {
    handle = await bootstrap({ port: 0, host: "127.0.0.1", logger: silentLogger });
    const ws = new WebSocket(`ws://127.0.0.1:${handle.address.port}/ws/echo`);
    await new Promise((r) => ws.once("open", r));
    ws.send("found");
    expect(String(await new Promise((r) => ws.once("message", r)))).toBe("found");
    ws.close();
  });

  it("is a clean error when the port is taken", async () => {
    handle = await bootstrap({ endpoints: [Echo], port: 0, host: "127.0.0.1", logger: silentLogger });
    await expect(bootstrap({ endpoints: [Echo], port: handle.address.port, host: "127.0.0.1" })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});

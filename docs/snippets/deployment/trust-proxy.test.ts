import "reflect-metadata";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { ServerHandle } from "ws-endpoints";
import { serveBehindNginx } from "./trust-proxy.js";

let app: ServerHandle | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function greeting(port: number, headers: Record<string, string>): Promise<string> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/hello`, { headers });
  const [data] = (await once(ws, "message")) as [Buffer];
  ws.terminate();
  return data.toString();
}

describe("docs/deployment.md: behind a reverse proxy", () => {
  it("greets the client nginx forwarded, not nginx (a loopback peer)", async () => {
    app = await serveBehindNginx(0);
    // nginx's $proxy_add_x_forwarded_for: whatever the client sent, then the address nginx saw.
    expect(await greeting(app.address.port, { "X-Forwarded-For": "6.6.6.6, 203.0.113.9" })).toBe("hello 203.0.113.9");
    expect(await greeting(app.address.port, {})).toBe("hello 127.0.0.1");
  });
});

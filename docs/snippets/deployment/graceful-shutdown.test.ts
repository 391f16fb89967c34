import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { httpGet } from "../../../test/support/http-get.js";
import { start } from "./graceful-shutdown.js";

const status = async (port: number, path: string): Promise<number> => (await httpGet(port, path)).status;

describe("docs/deployment.md: graceful shutdown", () => {
  it("is ready, then fails readiness while draining, then closes clients with 1001", async () => {
    const app = await start(0, 50);
    const port = (app.http.address() as AddressInfo).port;
    expect(await status(port, "/readyz")).toBe(200);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/lobby`);
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    await new Promise((resolve) => ws.once("open", resolve));

    const done = app.shutdown();
    expect(await status(port, "/readyz")).toBe(503);
    expect(await closed).toBe(1001);
    await done;
    expect(app.http.listening).toBe(false);
  });
});

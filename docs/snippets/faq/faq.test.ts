import "reflect-metadata";
import { afterEach, describe, expect, it } from "vitest";
import type { ServerHandle } from "ws-endpoints";
import { TestServer } from "ws-endpoints/testing";
import { parse } from "yaml";
import { httpGet } from "../../../test/support/http-get.js";
import { ShoutEndpoint } from "./explicit-payload.js";
import { describeApi, startObservable } from "./observability.js";

let server: TestServer | undefined;
let handle: ServerHandle | undefined;
afterEach(async () => {
  await server?.close();
  await handle?.close();
  server = handle = undefined;
});

describe("docs/faq.md", () => {
  it("explicit @Payload(String) receives the text", async () => {
    server = await TestServer.start([ShoutEndpoint]);
    const c = await server.connect("/shout");
    await c.send("hey");
    expect(await c.nextText()).toBe("HEY");
  });

  it("metrics() and /metrics report the traffic", async () => {
    handle = await startObservable(0);
    expect(handle.metrics().endpoints["/shout"]!.openSessions).toBe(0);
    const { body: text } = await httpGet(handle.address.port, "/metrics");
    expect(text).toContain('ws_endpoints_open_sessions{endpoint="/shout"} 0');
  });

  it("describeApi() lists the channel", () => {
    const doc = parse(describeApi()) as { asyncapi: string; channels: Record<string, { address: string }> };
    expect(doc.asyncapi).toBe("3.0.0");
    expect(doc.channels.ShoutEndpoint!.address).toBe("/shout");
  });
});

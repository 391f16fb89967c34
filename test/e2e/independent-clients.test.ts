import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TestServer } from "../../src/testing/index.js";
import { chromiumClient, javaClient, pythonClient, wsClient } from "../support/interop/clients.js";
import { chromium, java, python3Websockets } from "../support/system-packages.js";
import { EXPECTED, EXPECTED_SERVER_CLOSE_CODES, InteropEndpoint, serverCloses, whenServerCloses, type Observations } from "../support/interop/endpoint.js";

// The same script (text, binary, UTF-8, fragmented messages both ways, pings both ways, closes with codes
// both ways) run by clients nobody here wrote; each must observe what the ws client observes.
let server: TestServer;
let reference: Observations;
let referenceServerCloses: string[];
beforeAll(async () => {
  server = await TestServer.start([InteropEndpoint]);
  reference = await wsClient(`${server.url}/interop`);
  referenceServerCloses = await whenServerCloses(2);
});
afterAll(async () => server?.close());
beforeEach(() => {
  serverCloses.length = 0;
});

async function expectServerSawCloses(): Promise<void> {
  const codes = (await whenServerCloses(2)).map((c) => c.split(" ")[0]);
  expect(codes).toEqual(EXPECTED_SERVER_CLOSE_CODES);
}

/** The reference's observations, restricted to what `got` reports (browsers cannot fragment or ping). */
function sameAsReference(got: Observations): void {
  const expected = Object.fromEntries(Object.keys(got).map((k) => [k, reference[k as keyof Observations]]));
  expect(got).toEqual(expected);
}

describe("independent clients", () => {
  it("ws (reference) observes the expected protocol behaviour", () => {
    expect(reference).toEqual(EXPECTED);
    expect(referenceServerCloses).toEqual(["4001 bye", "4002 server bye"]);
  });

  it("Python websockets observes the same as ws", async (ctx) => {
    python3Websockets.guard(ctx);
    const got = await pythonClient(`${server.url}/interop`);
    expect(Object.keys(got).sort()).toEqual(Object.keys(EXPECTED).sort());
    sameAsReference(got);
    await expectServerSawCloses();
  });

  it("Chromium's WebSocket observes the same as ws", async (ctx) => {
    chromium.guard(ctx);
    const got = await chromiumClient(`${server.url}/interop`);
    expect(Object.keys(got).sort()).toEqual(Object.keys(EXPECTED).filter((k) => k !== "fragmented" && k !== "pong").sort());
    sameAsReference(got);
    await expectServerSawCloses();
  }, 120_000);

  it("Java 17 java.net.http.WebSocket observes the same as ws", async (ctx) => {
    java.guard(ctx);
    const got = await javaClient(`${server.url}/interop`);
    expect(Object.keys(got).sort()).toEqual(Object.keys(EXPECTED).sort());
    sameAsReference(got);
    await expectServerSawCloses();
  }, 120_000);
});

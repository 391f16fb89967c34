import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CloseReason, OnClose, OnError, OnMessage, ServerEndpoint } from "../../src/index.js";
import { TestServer } from "../../src/testing/index.js";
import { buildFrame, OP } from "../support/frames.js";
import { RawClient } from "../support/raw-client.js";

// ws's receiver limit (maxFragments), which the server keeps at ws's default.
const MAX_FRAGMENTS = 16_384;

let seen: { closes: number[]; errors: string[]; texts: number[] } = { closes: [], errors: [], texts: [] };
let closed: () => void = () => {};

@ServerEndpoint("/frag-limit")
class FragLimit {
  @OnMessage() text(t: string): string {
    seen.texts.push(t.length);
    return `got ${t.length}`;
  }
  @OnError() error(e: Error): void {
    seen.errors.push(`${e.name}: ${e.message}`);
  }
  @OnClose() close(reason: CloseReason): void {
    seen.closes.push(reason.getCloseCode());
    closed();
  }
}

/** One text message cut into `parts` one-byte frames, as a single buffer. */
function fragmented(parts: number): Buffer {
  const frames: Buffer[] = [];
  for (let i = 0; i < parts; i++) {
    frames.push(buildFrame({ opcode: i === 0 ? OP.TEXT : OP.CONT, fin: i === parts - 1, payload: Buffer.from("a") }));
  }
  return Buffer.concat(frames);
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  seen = { closes: [], errors: [], texts: [] };
});

describe("the number of fragments per message is bounded (docs/security.md)", () => {
  it(`a message in ${MAX_FRAGMENTS} fragments is delivered whole`, async () => {
    server = await TestServer.start([FragLimit], { heartbeatInterval: 0 });
    const client = await RawClient.connect(server.handle.address.port, "/frag-limit");
    await client.write(fragmented(MAX_FRAGMENTS));
    await client.until((f) => f.some((x) => x.opcode === OP.TEXT));
    expect(client.frames.map((f) => f.payload.toString())).toEqual([`got ${MAX_FRAGMENTS}`]);
    client.reset();
  });

  it("one fragment more closes with 1008 and a reason naming the limit; @OnError gets a TransportError; nothing is delivered", async () => {
    server = await TestServer.start([FragLimit], { heartbeatInterval: 0 });
    const closedOnServer = new Promise<void>((r) => (closed = r));
    const client = await RawClient.connect(server.handle.address.port, "/frag-limit");
    await client.write(fragmented(MAX_FRAGMENTS + 1));
    const { frames, closeCode } = await client.closed;
    await closedOnServer;
    expect(closeCode).toBe(1008);
    expect(frames.map((f) => f.opcode)).toEqual([OP.CLOSE]);
    expect(frames[0]!.payload.subarray(2).toString()).toBe(`message has more than ${MAX_FRAGMENTS} fragments`);
    expect(seen.texts).toEqual([]);
    expect(seen.errors).toEqual(["TransportError: The connection failed: Too many message fragments"]);
  });

  it("docs/security.md states the same code and limit", () => {
    const doc = readFileSync(join(__dirname, "..", "..", "docs", "security.md"), "utf8");
    expect(doc).toContain(`| fragments per message | 16,384 (ws) | close **1008** \`message has more than ${MAX_FRAGMENTS} fragments\` |`);
  });
});

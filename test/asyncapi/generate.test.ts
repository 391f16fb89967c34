import "reflect-metadata";
import { Parser } from "@asyncapi/parser";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { asyncApiToYaml, generateAsyncApi, type AsyncApiDocument } from "../../src/asyncapi/index.js";
import { InvalidOptionsError } from "../../src/index.js";
import { cli } from "../../src/cli/cli.js";
import { EchoApi, RoomEndpoint } from "../fixtures/asyncapi/chat-api.js";
import { CliProcess } from "../support/cli-process.js";

const parser = new Parser();

async function errorsOf(doc: unknown): Promise<string[]> {
  const { diagnostics } = await parser.parse(doc as never);
  return diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join(".")}: ${d.message}`);
}

function doc(): AsyncApiDocument {
  return generateAsyncApi([RoomEndpoint, EchoApi], { title: "Chat", version: "2.1.0", servers: { prod: "wss://chat.example.com/ws" } });
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("generateAsyncApi", () => {
  it("produces an AsyncAPI 3.0 document the official parser accepts with zero errors", async () => {
    expect(await errorsOf(doc())).toEqual([]);
  });

  it("the YAML form parses back to exactly the validated document", () => {
    // Equality with the document validated above; a second parser run would cost seconds and prove nothing more.
    const yaml = asyncApiToYaml(doc());
    expect(parseYaml(yaml)).toEqual(JSON.parse(JSON.stringify(doc())));
    expect(yaml).toMatch(/^asyncapi: "3\.0\.0"\ninfo:\n  title: Chat\n/);
  });

  it("makes one channel per endpoint path with its template variables as parameters", () => {
    const ch = doc().channels as Json;
    expect(ch.RoomEndpoint.address).toBe("/rooms/{room}/users/{id}");
    expect(ch.RoomEndpoint.parameters).toEqual({
      room: { description: "Path segment {room}." },
      id: { description: "Path segment {id}, a number." },
    });
    expect(ch.RoomEndpoint.description).toBe("Subprotocols: chat.v1.");
    expect(ch.EchoApi.address).toBe("/echo");
    expect(ch.EchoApi.parameters).toBeUndefined();
  });

  it("describes a DTO payload by its class-validator constraints, nested classes included", () => {
    const schemas = doc().components.schemas as Json;
    expect(schemas.ChatMessage.properties.text).toMatchObject({ type: "string", minLength: 1, maxLength: 500 });
    expect(schemas.ChatMessage.properties.attachment).toEqual({ $ref: "#/components/schemas/Attachment" });
    expect(schemas.ChatMessage.required).toEqual(["text"]);
    expect(schemas.Attachment.properties.size).toMatchObject({ type: "integer", minimum: 0 });
    expect(schemas.Ack.properties.seq).toMatchObject({ type: "integer", minimum: 1, maximum: 1_000_000 });
  });

  it("adds the @OnMessage({ type }) discriminator as a required const property", () => {
    const m = (doc().components.messages as Json)["RoomEndpoint.chat"];
    expect(m.contentType).toBe("application/json");
    expect(m.payload.allOf).toEqual([
      {
        type: "object",
        properties: { type: { const: "chat" }, id: { type: ["string", "number"], description: "Set when the sender expects the reply correlated." } },
        required: ["type"],
      },
      { $ref: "#/components/schemas/ChatMessage" },
    ]);
  });

  it("declares replies from return types known at run time, and none for Promise<T>", () => {
    const ops = doc().operations as Json;
    expect(ops["RoomEndpoint.chat"].action).toBe("receive");
    expect(ops["RoomEndpoint.chat"].reply.messages).toEqual([
      { $ref: "#/channels/RoomEndpoint/messages/RoomEndpoint.chat.reply" },
      { $ref: "#/channels/RoomEndpoint/messages/RoomEndpoint.error" },
    ]);
    expect((doc().components.messages as Json)["RoomEndpoint.chat.reply"].payload).toEqual({ $ref: "#/components/schemas/Ack" });
    expect(ops["EchoApi.text"].reply).toBeDefined();
    expect((doc().components.messages as Json)["EchoApi.text"]).toMatchObject({ contentType: "text/plain", payload: { type: "string" } });
    expect(ops["EchoApi.bytes"].reply).toBeUndefined();
    expect((doc().components.messages as Json)["EchoApi.bytes"]).toMatchObject({
      contentType: "application/octet-stream",
      payload: { type: "string", format: "binary" },
    });
  });

  it("turns server URLs into host, protocol and pathname", () => {
    expect(doc().servers).toEqual({ prod: { host: "chat.example.com", protocol: "wss", pathname: "/ws" } });
  });

  it.each([
    [[class NotAnEndpoint {}], { title: "x", version: "1" }, /NotAnEndpoint has no @ServerEndpoint decorator/],
    [[EchoApi], { title: "x", version: "1", servers: { a: "http://x" } }, /must use ws:\/\/ or wss:\/\//],
    [[EchoApi], { title: "x" }, /info needs a title and a version/],
  ])("rejects bad input with a sentence naming it (%#)", (classes, info, message) => {
    expect(() => generateAsyncApi(classes as never, info as never)).toThrow(InvalidOptionsError);
    expect(() => generateAsyncApi(classes as never, info as never)).toThrow(message);
  });
});

describe("ws-endpoints asyncapi", () => {
  // Spawned, as users run it: the compiled CLI and the compiled fixture share one library copy. In-process,
  // the src/ generator would compile a dist/ class whose Session parameters are another copy's Session.
  function cli(args: readonly string[], _io: unknown): Promise<number | null> {
    const p = new CliProcess(args);
    last = p;
    return new Promise((res) => p.child.once("close", (code) => res(code)));
  }
  let last: CliProcess | undefined;
  function io(): { readonly out: string; readonly err: string } {
    return {
      get out() {
        return last?.stdout ?? "";
      },
      get err() {
        return last?.stderr ?? "";
      },
    };
  }

  it("--help has examples", async () => {
    const o = io();
    expect(await cli(["asyncapi", "--help"], o)).toBe(0);
    expect(o.out).toContain("Examples:\n  ws-endpoints asyncapi dist/chat-endpoint.js");
  });

  it("prints YAML for the module's endpoints, titled from package.json", async () => {
    const o = io();
    expect(await cli(["asyncapi", "dist/test/fixtures/cli/echo-endpoint.js", "--server", "ws://localhost:8080"], o)).toBe(0);
    const parsed = parseYaml(o.out) as Json;
    expect(parsed.info.title).toBe("ws-endpoints");
    expect(parsed.channels.CliEchoEndpoint.address).toBe("/echo/{room}");
    expect(parsed.servers.default).toEqual({ host: "localhost:8080", protocol: "ws" });
    expect(parsed.asyncapi).toBe("3.0.0");
  });

  it("-o file.json writes JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wse-asyncapi-"));
    try {
      const o = io();
      const out = join(dir, "api.json");
      expect(await cli(["asyncapi", "dist/test/fixtures/cli/echo-endpoint.js", "-o", out, "--title", "Echo", "--api-version", "3.0.1"], o)).toBe(0);
      const parsed = JSON.parse(readFileSync(out, "utf8")) as Json;
      expect(parsed.info).toEqual({ title: "Echo", version: "3.0.1" });
      expect(o.err).toContain("wrote");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a bad --server is a usage error (exit 2)", async () => {
    const o = io();
    expect(await cli(["asyncapi", "dist/test/fixtures/cli/echo-endpoint.js", "--server", "localhost"], o)).toBe(2);
    expect(o.err).toContain('server "localhost" is not a URL');
  });
});

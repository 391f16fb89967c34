import "reflect-metadata";
import { Parser } from "@asyncapi/parser";
import { describe, expect, it } from "vitest";
import { generateAsyncApi, type AsyncApiDocument } from "../../src/asyncapi/index.js";
import { ContractChat, OpaqueChat } from "../fixtures/contract/chat-endpoint.js";

// The whole contract in the AsyncAPI document (issue 20): what the server sends, correlation, errors,
// liveness and handshake security; validated by the official parser.

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function doc(): AsyncApiDocument {
  return generateAsyncApi([ContractChat, OpaqueChat], { title: "Chat", version: "1.0.0", servers: { local: "ws://localhost:8080" } });
}

describe("generateAsyncApi with a contract", () => {
  it("is a document the official parser accepts with zero errors", async () => {
    const { diagnostics } = await new Parser().parse(doc() as never);
    expect(diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join(".")}: ${d.message}`)).toEqual([]);
  });

  it("describes a request's reply from the contract when the return type is erased (Promise<Joined>), correlated by id", () => {
    const d = doc();
    const ops = d.operations as Json;
    const messages = d.components.messages as Json;
    expect(ops["ContractChat.join"].reply.messages).toEqual([
      { $ref: "#/channels/ContractChat/messages/ContractChat.join.reply" },
      { $ref: "#/channels/ContractChat/messages/ContractChat.error" },
    ]);
    expect(messages["ContractChat.join.reply"].payload).toEqual({ $ref: "#/components/schemas/Joined" });
    expect(messages["ContractChat.join"].correlationId).toMatchObject({ location: "$message.payload#/id" });
    expect(messages["ContractChat.join.reply"].correlationId).toMatchObject({ location: "$message.payload#/id" });
  });

  it("describes error replies with their schema: code enum, errors[], accepted, id", () => {
    const error = (doc().components.messages as Json)["ContractChat.error"];
    expect(error.payload.required).toEqual(["type", "code", "errors"]);
    expect(error.payload.properties.code.enum).toEqual(["INVALID_JSON", "VALIDATION_FAILED", "UNKNOWN_MESSAGE_TYPE", "NO_DECODER", "DECODE_FAILED", "MESSAGE_TOO_BIG"]);
    expect(error.payload.properties.accepted).toMatchObject({ type: "array" });
    expect(error.payload.properties.id).toMatchObject({ type: ["string", "number"] });
  });

  it("describes the server's pushes and requests from the contract's server section, and the $reply", () => {
    const d = doc();
    const ops = d.operations as Json;
    const messages = d.components.messages as Json;
    expect(ops["ContractChat.server.said"]).toMatchObject({ action: "send" });
    expect(messages["ContractChat.server.said"].payload.allOf).toEqual([
      { type: "object", properties: { type: { const: "said" } }, required: ["type"] },
      { $ref: "#/components/schemas/Said" },
    ]);
    expect(messages["ContractChat.server.presence"].payload.allOf[1]).toMatchObject({ type: "object" });
    expect(ops["ContractChat.server.confirm"].reply.messages).toEqual([{ $ref: "#/channels/ContractChat/messages/ContractChat.server.confirm.reply" }]);
    const reply = messages["ContractChat.server.confirm.reply"].payload;
    expect(reply.properties.type).toEqual({ const: "$reply" });
    expect(reply.properties.data).toEqual({ $ref: "#/components/schemas/Confirmed" });
    expect(reply.required).toEqual(["type", "id", "ok"]);
    expect(messages["ContractChat.server.confirm"].payload.allOf[0].required).toEqual(["type", "id"]);
  });

  it("describes $ping/$pong when liveness is on, and only then", () => {
    const ops = doc().operations as Json;
    expect(ops["ContractChat._ping"].reply.messages).toEqual([{ $ref: "#/channels/ContractChat/messages/ContractChat._pong" }]);
    expect(Object.keys(ops).filter((k) => k.startsWith("OpaqueChat._ping"))).toEqual([]);
  });

  it("puts the configurator's declared security scheme on the endpoint's operations, and notes an undeclared authenticate", () => {
    const d = doc();
    expect(d.components.securitySchemes).toEqual({ token: { type: "httpApiKey", name: "token", in: "query", description: "A session token." } });
    expect((d.operations as Json)["ContractChat.join"].security).toEqual([{ $ref: "#/components/securitySchemes/token" }]);
    expect((d.operations as Json)["OpaqueChat.say"].security).toBeUndefined();
    expect((d.channels as Json).OpaqueChat.description).toMatch(/authenticated by OpaqueAuth.authenticate; its scheme is not declared/);
  });

  it("uses the endpoint's own envelope fields (typeField, idField)", () => {
    const messages = doc().components.messages as Json;
    expect(messages["OpaqueChat.say"].payload.allOf[0].properties).toMatchObject({ kind: { const: "say" }, ref: { type: ["string", "number"] } });
    expect(messages["OpaqueChat.say"].correlationId.location).toBe("$message.payload#/ref");
    expect(messages["OpaqueChat.say.reply"].payload).toEqual({ $ref: "#/components/schemas/Joined" });
  });
});

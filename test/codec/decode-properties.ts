/**
 * Shared fast-check properties for inbound decoding: the normal suite runs them with a few thousand cases,
 * `npm run test:fuzz` with many more. They call the compiled decode functions directly (no sockets).
 */
import "reflect-metadata";
import { Type } from "class-transformer";
import { ArrayMaxSize, IsInt, IsObject, IsOptional, IsString, Length, MaxLength, Min, ValidateNested, validate } from "class-validator";
import fc from "fast-check";
import { container } from "tsyringe";
import { DecodeReasons } from "../../src/codec/decode-reasons.js";
import type { MessageRouter } from "../../src/endpoint/compiled.js";
import type { PayloadBinding } from "../../src/codec/payload.js";
import { codecCompileSettings } from "../../src/codec/codec-registry.js";
import { OnMessage, ServerEndpoint, DecodeError } from "../../src/index.js";
import { createEndpointServer } from "../../src/server/bootstrap.js";
import { silentLogger } from "../../src/metrics/logger.js";

export class Author {
  @IsString() @Length(2, 20) name!: string;
}
export class ChatMessage {
  @IsString() @MaxLength(50) text!: string;
  @IsObject() @ValidateNested() @Type(() => Author) author!: Author;
  @IsOptional() @IsString({ each: true }) @ArrayMaxSize(3) tags?: string[];
  @IsOptional() @IsInt() @Min(0) priority?: number;
}

@ServerEndpoint("/property-envelope")
class PropertyEnvelope {
  @OnMessage({ type: "chat" }) chat(m: ChatMessage) {
    return m;
  }
  @OnMessage({ type: "raw" }) raw(t: string) {
    return t;
  }
}

const VALIDATOR = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;
const REASONS = new Set<string>([DecodeReasons.INVALID_JSON, DecodeReasons.VALIDATION_FAILED, DecodeReasons.UNKNOWN_MESSAGE_TYPE]);

/** The DTO binding exactly as bootstrap compiles it for `ChatMessage`. */
export function chatBinding(): PayloadBinding {
  const b = codecCompileSettings(undefined, container, []).payloadFor(ChatMessage, { path: "/p" });
  if (typeof b === "string") throw new Error(b);
  return b;
}

/** The text router of an endpoint with typed handlers, as bootstrap compiles it. */
export function envelopeRouter(): MessageRouter {
  const { server } = createEndpointServer({ endpoints: [PropertyEnvelope], logger: silentLogger });
  return server.endpoints[0]!.onText!;
}

const keys = fc.oneof(fc.constantFrom("text", "author", "name", "tags", "priority", "type", "id", "__proto__", "constructor", "data"), fc.string({ maxLength: 8 }));
const anyJson = fc.jsonValue({ maxDepth: 4 });
const chatish = fc.record(
  {
    type: fc.constantFrom("chat", "raw", "nope", 1, null),
    id: fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.constant(undefined)),
    text: fc.oneof(fc.string({ maxLength: 60 }), anyJson),
    author: fc.oneof(fc.record({ name: fc.oneof(fc.string({ maxLength: 22 }), anyJson) }, { requiredKeys: [] }), anyJson),
    tags: fc.oneof(fc.array(fc.string({ maxLength: 4 }), { maxLength: 5 }), anyJson),
    priority: fc.oneof(fc.integer({ min: -3, max: 5 }), anyJson),
  },
  { requiredKeys: [] },
);
const withExtra = fc.tuple(chatish, fc.dictionary(keys, anyJson, { maxKeys: 3 })).map(([a, b]) => ({ ...b, ...a }));

/** Any byte string, any JSON value, and near-valid chat messages, as message bytes. */
export const messageBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)),
  anyJson.map((v) => Buffer.from(JSON.stringify(v) ?? "null")),
  chatish.map((v) => Buffer.from(JSON.stringify(v))),
  withExtra.map((v) => Buffer.from(JSON.stringify(v))),
  fc.string().map((s) => Buffer.from(s)),
);

/** Decoding resolves to a valid `ChatMessage` or rejects with a `DecodeError`; nothing else. */
export function decodeYieldsDtoOrDecodeError(binding: PayloadBinding): fc.IAsyncPropertyWithHooks<[Buffer]> {
  return fc.asyncProperty(messageBytes, async (data) => {
    let value: unknown;
    try {
      value = await binding.decode(data);
    } catch (error) {
      expectDecodeError(error);
      return;
    }
    await expectValidChat(value);
  });
}

/** Routing throws a `DecodeError` or yields a handler whose payload is a valid DTO / the raw text. */
export function routeYieldsHandlerOrDecodeError(router: MessageRouter): fc.IAsyncPropertyWithHooks<[Buffer]> {
  return fc.asyncProperty(messageBytes, async (data) => {
    let payload: unknown;
    let handler: string;
    try {
      const routed = router.route(data);
      // A late `$reply` is dropped by the router (issue 20): neither a handler nor an error.
      if (routed === null) return;
      handler = routed.handler.label;
      payload = await routed.payload;
    } catch (error) {
      expectDecodeError(error);
      return;
    }
    if (handler.endsWith(".raw")) {
      if (payload !== data.toString("utf8")) throw new Error("raw handler did not get the message text");
    } else await expectValidChat(payload);
  });
}

function expectDecodeError(error: unknown): void {
  if (!(error instanceof DecodeError)) throw new Error(`expected a DecodeError, got ${String(error)}`, { cause: error });
  if (!REASONS.has(error.reason)) throw new Error(`unexpected reason ${error.reason}`);
  if (error.errors.length === 0) throw new Error("a DecodeError without field errors");
}

async function expectValidChat(value: unknown): Promise<void> {
  if (!(value instanceof ChatMessage) || !(value.author instanceof Author)) throw new Error(`not a ChatMessage: ${JSON.stringify(value)}`);
  const errors = await validate(value, VALIDATOR);
  if (errors.length > 0) throw new Error(`an invalid ChatMessage passed: ${JSON.stringify(value)}`);
}

import type { EndpointClass } from "../../decorators/metadata.js";
import type { JsonSchema, PayloadShape } from "./payload-schema.js";

const KEY_SAFE = /[^A-Za-z0-9_.-]/g;

/** A component key: characters AsyncAPI allows in keys; others become `_`. */
export function key(text: string): string {
  return text.replace(KEY_SAFE, "_");
}

/** The document being built: messages, operations and DTO classes, shared by every endpoint. */
export interface DocumentParts {
  readonly operations: Record<string, unknown>;
  readonly messages: Record<string, unknown>;
  readonly dtos: Set<EndpointClass>;
  readonly securitySchemes: Record<string, unknown>;
}

/** Adds one endpoint's messages and operations to the document (one channel). */
export class ChannelBuilder {
  readonly messages: Record<string, unknown> = {};
  /** `{ $ref }`s of the endpoint's security schemes, put on each of its operations. */
  security: readonly Record<string, string>[] = [];

  constructor(
    readonly channelId: string,
    private readonly parts: DocumentParts,
  ) {}

  /** A payload schema: a DTO class by `$ref` (its schema is generated once), others inline. */
  payload(shape: PayloadShape): JsonSchema {
    if (shape.dto === undefined) return shape.schema;
    this.parts.dtos.add(shape.dto);
    return { $ref: `#/components/schemas/${key(shape.dto.name)}` };
  }

  /** Registers a message in components and in this channel; returns its channel reference. */
  message(id: string, title: string, contentType: string, payload: JsonSchema, extra: Record<string, unknown> = {}): { $ref: string } {
    const name = key(id);
    this.parts.messages[name] = { name, title, contentType, payload, ...extra };
    this.messages[name] = { $ref: `#/components/messages/${name}` };
    return { $ref: `#/channels/${this.channelId}/messages/${name}` };
  }

  /** Adds an operation on this channel; `reply` lists the reply messages' channel references. */
  operation(id: string, action: "send" | "receive", summary: string, messages: readonly { $ref: string }[], reply?: readonly { $ref: string }[]): void {
    const channel = { $ref: `#/channels/${this.channelId}` };
    this.parts.operations[key(id)] = {
      action,
      channel,
      summary,
      messages,
      ...(reply !== undefined && reply.length > 0 ? { reply: { channel, messages: reply } } : {}),
      ...(this.security.length > 0 ? { security: this.security } : {}),
    };
  }
}

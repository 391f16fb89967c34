import { readEndpoint, registeredEndpoints, type EndpointClass } from "../../decorators/metadata.js";
import type { PayloadBinding } from "../codec/payload.js";
import { converterTypeName } from "../endpoint/arguments.js";
import { compileEndpoint } from "../endpoint/compile-server.js";
import type { CompiledEndpoint } from "../endpoint/compiled.js";
import { parsePathTemplate } from "../endpoint/path-template.js";
import { InvalidOptionsError } from "../errors.js";
import { endpointCodecOptions, mergeCodecSettings } from "../codec/codec-options.js";
import { ChannelBuilder, key, type DocumentParts } from "./channel-builder.js";
import { describeHandlers, describeProtocol } from "./endpoint-operations.js";
import { dtoSchemas } from "./dto-schema.js";
import type { JsonSchema } from "./payload-schema.js";
import { handshakeSecurity } from "./security.js";
import { toYaml } from "./yaml.js";

/** `info` and `servers` of the generated document. */
export interface AsyncApiInfo {
  /** `info.title`, e.g. "Chat API". */
  title: string;
  /** `info.version` of your API (not of ws-endpoints), e.g. "1.0.0". */
  version: string;
  /** `info.description` (CommonMark). */
  description?: string;
  /**
   * Servers clients connect to, as URLs (`ws://localhost:8080`, `wss://chat.example.com/base`),
   * keyed by a name of your choice.
   */
  servers?: Readonly<Record<string, string>>;
}

/** An AsyncAPI 3.0 document as plain JSON-compatible data (serialise with `JSON.stringify` or {@link asyncApiToYaml}). */
export interface AsyncApiDocument {
  /** The AsyncAPI specification version. */
  readonly asyncapi: "3.0.0";
  /** Title, version and description of your API. */
  readonly info: AsyncApiDocumentInfo;
  /** Server Objects by name, from {@link AsyncApiInfo.servers}. */
  readonly servers?: Readonly<Record<string, unknown>>;
  /** `application/json`; text and binary messages name their own content type. */
  readonly defaultContentType: string;
  /** One Channel Object per endpoint, keyed by the endpoint class name. */
  readonly channels: Readonly<Record<string, unknown>>;
  /** One `receive` Operation Object per `@OnMessage` handler, keyed `Class.method`. */
  readonly operations: Readonly<Record<string, unknown>>;
  /** Message Objects and the DTO schemas they reference. */
  readonly components: AsyncApiComponents;
}

/** `info` of an {@link AsyncApiDocument}. */
export interface AsyncApiDocumentInfo {
  /** API title. */
  readonly title: string;
  /** API version. */
  readonly version: string;
  /** CommonMark description. */
  readonly description?: string;
}

/** `components` of an {@link AsyncApiDocument}. */
export interface AsyncApiComponents {
  /** Message Objects keyed `Class.method` (input) and `Class.method.reply`. */
  readonly messages: Readonly<Record<string, unknown>>;
  /** JSON Schemas of DTO classes, keyed by class name. */
  readonly schemas: Readonly<Record<string, JsonSchema>>;
  /** Security Scheme Objects the endpoints' configurators declare (`static securitySchemes`), by name. */
  readonly securitySchemes?: Readonly<Record<string, unknown>>;
}


/** Path parameter types as the handlers declare them (`@PathParam("id") id: number`): the first non-string wins. */
function pathParamTypes(endpoint: CompiledEndpoint): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, converters] of endpoint.pathConverters) {
    out.set(name, converters.map(converterTypeName).find((t) => t !== "string") ?? "string");
  }
  return out;
}

/**
 * The payload binding the generator compiles with: it documents declared types and never decodes, so it
 * needs no codecs or container. `willDecode` makes each such handler selective, so two DTO handlers of one
 * endpoint are not reported as competing catch-alls (the server's decoders would tell them apart).
 */
const DOCUMENTED: PayloadBinding = Object.freeze({ kind: "text", decode: (data: Buffer) => data, willDecode: () => true });

/** Compiles one class the way the server does, minus codecs: the one reading of its decorators. */
function compileForDocs(type: EndpointClass): CompiledEndpoint {
  // The endpoint's own envelope fields (no global codec options: generation sees classes only).
  return compileEndpoint(type, {
    maxMessageSize: Number.MAX_SAFE_INTEGER,
    payloadFor: () => DOCUMENTED,
    routingFor: (options) => mergeCodecSettings(undefined, endpointCodecOptions(options as Readonly<Record<string, unknown>>)),
  });
}

function serverOf(url: string): Record<string, unknown> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidOptionsError(`generateAsyncApi: server ${JSON.stringify(url)} is not a URL; use e.g. "ws://localhost:8080" or "wss://chat.example.com".`);
  }
  const protocol = u.protocol.replace(/:$/, "");
  if (protocol !== "ws" && protocol !== "wss") {
    throw new InvalidOptionsError(`generateAsyncApi: server ${JSON.stringify(url)} must use ws:// or wss://.`);
  }
  const path = u.pathname.replace(/\/$/, "");
  return { host: u.host, protocol, ...(path ? { pathname: path } : {}) };
}

/**
 * Builds an AsyncAPI 3.0 document from endpoint declarations: one channel per `@ServerEndpoint`
 * (template variables become channel parameters), one `receive` operation per `@OnMessage` handler with
 * its payload (text, binary, or a DTO's JSON Schema from its class-validator decorators; a
 * `@OnMessage({ type })` discriminator becomes a `const` property), and a reply where the handler's
 * declared return type is known at run time (a class, `string`, binary; not `Promise<T>`, whose `T` the
 * compiler erases).
 *
 * @param endpoints Endpoint classes; `undefined` means every imported `@ServerEndpoint` class.
 * @param info `info.title`, `info.version`, optional description and servers.
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { asyncApiToYaml, generateAsyncApi } from "ws-endpoints/asyncapi";
 * import { ChatEndpoint } from "./chat-endpoint.js";
 *
 * const doc = generateAsyncApi([ChatEndpoint], { title: "Chat", version: "1.0.0", servers: { local: "ws://localhost:8080" } });
 * writeFileSync("asyncapi.yaml", asyncApiToYaml(doc));
 * ```
 * @throws InvalidOptionsError when a class is not an endpoint, or a server is not a ws:// or wss:// URL.
 * @throws EndpointDefinitionError when a class would not compile (the server would refuse it too).
 */
export function generateAsyncApi(endpoints: readonly EndpointClass[] | undefined, info: AsyncApiInfo): AsyncApiDocument {
  if (typeof info?.title !== "string" || typeof info.version !== "string") {
    throw new InvalidOptionsError('generateAsyncApi: info needs a title and a version, e.g. { title: "Chat API", version: "1.0.0" }.');
  }
  const classes = endpoints ?? registeredEndpoints();
  const channels: Record<string, unknown> = {};
  const parts: DocumentParts = { operations: {}, messages: {}, dtos: new Set(), securitySchemes: {} };

  for (const type of classes) {
    const options = typeof type === "function" ? readEndpoint(type) : undefined;
    if (!options) {
      throw new InvalidOptionsError(`generateAsyncApi: ${String((type as { name?: string })?.name ?? type)} has no @ServerEndpoint decorator; pass endpoint classes only.`);
    }
    const template = parsePathTemplate(options.path);
    if ("error" in template) throw new InvalidOptionsError(`generateAsyncApi: ${type.name}: @ServerEndpoint ${template.error}`);
    const endpoint = compileForDocs(type);
    const channel = new ChannelBuilder(key(type.name), parts);
    const paramTypes = pathParamTypes(endpoint);
    const parameters: Record<string, unknown> = {};
    for (const v of template.variables) {
      parameters[v] = { description: `Path segment {${v}}${paramTypes.get(v) && paramTypes.get(v) !== "string" ? `, a ${paramTypes.get(v)}` : ""}.` };
    }
    const security = handshakeSecurity(options);
    for (const [name, scheme] of Object.entries(security.schemes)) parts.securitySchemes[key(name)] = scheme;
    channel.security = Object.keys(security.schemes).map((name) => ({ $ref: `#/components/securitySchemes/${key(name)}` }));
    describeHandlers(endpoint, channel);
    describeProtocol(endpoint, channel);
    const description = [
      ...(Array.isArray(options.subprotocols) && options.subprotocols.length > 0 ? [`Subprotocols: ${options.subprotocols.join(", ")}.`] : []),
      ...security.notes,
    ].join(" ");
    channels[channel.channelId] = {
      address: options.path,
      title: type.name,
      ...(template.variables.length > 0 ? { parameters } : {}),
      ...(description !== "" ? { description } : {}),
      messages: channel.messages,
    };
  }

  const servers = info.servers
    ? Object.fromEntries(Object.entries(info.servers).map(([name, url]) => [key(name), serverOf(url)]))
    : undefined;
  return {
    asyncapi: "3.0.0",
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
    ...(servers ? { servers } : {}),
    defaultContentType: "application/json",
    channels,
    operations: parts.operations,
    components: {
      messages: parts.messages,
      schemas: dtoSchemas([...parts.dtos]),
      ...(Object.keys(parts.securitySchemes).length > 0 ? { securitySchemes: parts.securitySchemes } : {}),
    },
  };
}

/** Serialises a generated document as YAML (what `ws-endpoints asyncapi` writes by default). */
export function asyncApiToYaml(document: AsyncApiDocument): string {
  return toYaml(document);
}

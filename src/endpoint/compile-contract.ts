import type { ServerEndpointOptions } from "../../decorators/metadata.js";
import type { RoutingSettings } from "../codec/codec-options.js";
import type { ObjectEncoder } from "../codec/coders.js";
import { messageEncoder } from "../codec/message-encoder.js";
import type { ContractShape } from "../contract/contract.js";
import type { DefinitionProblem } from "../errors.js";
import type { MessageProtocol } from "../session/message-protocol.js";
import { checkBoolean, checkDuration, checkInteger, MAX_TIMER_MS } from "../util/check-options.js";
import { typeName } from "../util/type-name.js";
import type { CompiledMessageHandler, EndpointSite, LivenessFrames } from "./compiled.js";

// The message protocol of an endpoint, compiled once: the contract check (every contract client message has
// its handler, with the contract's payload class), the settings of `session.send`/`request`, and the
// liveness frames. Reads only the options and the already compiled handlers.

/** `maxPendingRequests` when the endpoint sets none. */
export const DEFAULT_MAX_PENDING_REQUESTS = 16;
/** `requestTimeout` when the endpoint sets none. */
export const DEFAULT_REQUEST_TIMEOUT = 30_000;

/** What compile.ts adds to the compiled endpoint. */
export interface CompiledProtocol {
  readonly protocol: MessageProtocol;
  readonly liveness: LivenessFrames | null;
  readonly contract: ContractShape | null;
}

/** Compiles the protocol of one endpoint; problems go to `problems`. */
export function compileProtocol(
  site: EndpointSite,
  routing: RoutingSettings,
  encode: ObjectEncoder,
  textHandlers: readonly CompiledMessageHandler[],
  problems: DefinitionProblem[],
): CompiledProtocol {
  // Only @ServerEndpoint declares these; a client endpoint gets the defaults.
  const o: Readonly<ServerEndpointOptions> | Record<string, undefined> = site.decorator === "@ServerEndpoint" ? (site.options as ServerEndpointOptions) : {};
  const issues: string[] = [];
  checkBoolean(issues, "liveness", o.liveness);
  checkInteger(issues, "maxPendingRequests", o.maxPendingRequests, { max: 10_000 });
  checkDuration(issues, "requestTimeout", o.requestTimeout, { max: MAX_TIMER_MS });
  for (const p of issues) problems.push({ where: site.name, problem: `@ServerEndpoint ${p}.`, fix: "correct the option in the @ServerEndpoint declaration (see docs/contract.md)." });
  const contract = o.contract === undefined ? null : (o.contract as ContractShape);
  const serverMessages = contract === null ? null : checkContract(site.name, contract, textHandlers, routing, problems);
  const protocol: MessageProtocol = Object.freeze({
    typeField: routing.typeField,
    idField: routing.idField,
    maxPendingRequests: typeof o.maxPendingRequests === "number" ? o.maxPendingRequests : DEFAULT_MAX_PENDING_REQUESTS,
    requestTimeout: typeof o.requestTimeout === "number" ? o.requestTimeout : DEFAULT_REQUEST_TIMEOUT,
    serverMessages,
    contract,
    encode: messageEncoder(encode, routing),
  });
  return { protocol, liveness: o.liveness === true ? livenessFrames(routing.typeField) : null, contract };
}

/** `{"type":"$ping"}` always; also `{"<typeField>":"$ping"}` when the endpoint renamed its type field. */
function livenessFrames(typeField: string): LivenessFrames {
  const fields = typeField === "type" ? ["type"] : ["type", typeField];
  return Object.freeze({
    pings: fields.map((f) => Buffer.from(JSON.stringify({ [f]: "$ping" }))),
    pongs: fields.map((f) => JSON.stringify({ [f]: "$pong" })),
  });
}

type Spec = { readonly payload?: unknown; readonly reply?: unknown };

/** Checks the contract against the typed handlers; returns the server messages (`true`: a request). */
function checkContract(
  where: string,
  contract: ContractShape,
  handlers: readonly CompiledMessageHandler[],
  routing: RoutingSettings,
  problems: DefinitionProblem[],
): ReadonlyMap<string, boolean> {
  const server = new Map<string, boolean>();
  const add = (problem: string, fix: string): void => void problems.push({ where, problem, fix });
  if (contract === null || typeof contract !== "object" || !isRecord(contract.client) || !isRecord(contract.server)) {
    add("contract must be an object with a client and a server section.", "declare it with defineContract({ client: { … }, server: { … } }) from ws-endpoints/contract.");
    return server;
  }
  for (const side of ["client", "server"] as const) {
    for (const [name, spec] of Object.entries(contract[side] as Record<string, Spec>)) {
      const at = `contract ${side} message ${JSON.stringify(name)}`;
      if (name.startsWith("$") || (side === "server" && name === "error")) add(`${at}: the name is reserved by the protocol ($ping, $pong, $reply; "error" for error replies).`, "rename the message.");
      if (!isRecord(spec) || !isPayloadSpec(spec.payload) || (spec.reply !== undefined && !isPayloadSpec(spec.reply))) {
        add(`${at} is not { payload, reply? } with classes or payloadType<T>() markers.`, "e.g. join: { payload: JoinRequest, reply: Joined }.");
        continue;
      }
      if (spec.reply !== undefined && routing.idField === null) add(`${at} is a request, but envelope.idField is null, so its reply could not be correlated.`, 'keep envelope.idField (default "id").');
      if (side === "server") server.set(name, spec.reply !== undefined);
    }
  }
  const client = contract.client as Record<string, Spec>;
  const typed = new Map(handlers.filter((h) => h.messageType !== undefined).map((h) => [h.messageType!, h]));
  for (const [name, spec] of Object.entries(client)) {
    if (!isRecord(spec) || !isPayloadSpec(spec.payload)) continue;
    const h = typed.get(name);
    const payload = typeof spec.payload === "function" ? spec.payload : null;
    if (h === undefined) {
      add(`the contract's client message ${JSON.stringify(name)} has no handler.`, `add @OnMessage({ type: ${JSON.stringify(name)} }) ${safeMethod(name)}(payload: ${payload === null ? "YourDto" : typeName(payload)}) { … }, or remove it from the contract.`);
      continue;
    }
    if (payload !== null && h.payloadType !== payload) {
      add(`${h.label} takes ${typeName(h.payloadType)}, but the contract's client message ${JSON.stringify(name)} carries ${typeName(payload)}.`, `declare the payload parameter as ${typeName(payload)} (the class the client is typed by), or change the contract.`);
    } else if (payload === null && h.binding.fromJson === undefined) {
      add(`${h.label} takes the raw text, but the contract's client message ${JSON.stringify(name)} carries a JSON object.`, "take the payload as a DTO class (or object).");
    }
    const declared = h.replyType;
    if (typeof spec.reply === "function" && typeof declared === "function" && declared !== Object && declared !== Promise && declared !== spec.reply) {
      add(`${h.label} replies ${typeName(declared)}, but the contract's client message ${JSON.stringify(name)} expects ${typeName(spec.reply)}.`, `return ${typeName(spec.reply)} (and declare @OnMessage({ reply: ${typeName(spec.reply)} })), or change the contract.`);
    }
  }
  for (const h of typed.values()) {
    if (!Object.hasOwn(client, h.messageType!)) {
      add(`${h.label} handles ${JSON.stringify(h.messageType)}, which the contract's client section lacks, so typed clients can never send it.`, `add ${h.messageType}: { payload: ${typeName(h.payloadType)} } to the contract's client section, or remove the handler.`);
    }
  }
  return server;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isPayloadSpec(v: unknown): boolean {
  return typeof v === "function" || (isRecord(v) && v.kind === "type");
}

function safeMethod(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : "handle";
}

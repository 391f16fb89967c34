/**
 * `ws-endpoints/browser`: the client for browsers and any runtime with a WHATWG `WebSocket`. An ES module
 * with no runtime dependencies and no Node built-ins; its types come from the endpoint's contract
 * (`ws-endpoints/contract`), imported with `import type` so no server code reaches the bundle.
 *
 * @packageDocumentation
 */
import type { ContractShape } from "../contract/contract.js";
import { BrowserClient } from "./client.js";
import type { BrowserConnectOptions } from "./options.js";

/**
 * Connects to an endpoint and returns the client at once; it reconnects by itself (unless `reconnect:
 * false`), and sends made before the connection opens are held and sent in order once it does.
 *
 * @example
 * ```ts
 * import type { ChatContract } from "../server/contract";
 * const chat = connect<ChatContract>("wss://example.com/chat");
 * chat.on("said", (m) => console.log(m.from, m.text));
 * const welcome = await chat.request("join", { nickname: "alice" }, { timeout: 5000 });
 * chat.send("say", { text: "hello" });
 * ```
 * @throws ClientOptionsError for invalid options; the WebSocket's own error for a malformed URL.
 */
export function connect<C extends ContractShape = ContractShape>(url: string, options?: BrowserConnectOptions): BrowserClient<C> {
  return new BrowserClient<C>(url, options);
}

export { BrowserClient, LIVENESS_TIMEOUT } from "./client.js";
export type { ClientState, RequestOptions } from "./state.js";
export type { BrowserBufferPolicy, BrowserConnectOptions, BrowserReconnectOptions, EnvelopeOptions, LivenessOptions } from "./options.js";
export { BrowserClientError, BufferOverflowError, ClientOptionsError, ConnectionClosedError, RequestError, RequestTimeoutError } from "./errors.js";
export type { FieldError } from "./errors.js";
export type { EventHandler, WebSocketConstructor, WebSocketLike } from "./socket.js";
export type { ContractShape, EventTypes, MessagePayload, ReplyPayload, RequestTypes } from "../contract/contract.js";
export type { RecoveryRefusal, RecoveryStatus } from "../contract/recovery-wire.js";

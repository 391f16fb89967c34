/**
 * How a server session is typed by a contract (`Session<ChatContract>`): which message types it may push
 * and request, the payload each takes and what a request resolves to. Types only, over contract.ts, so this
 * entry stays free of the rest of the package. Without a contract (`Session`, i.e. `Session<undefined>`)
 * every name is a string, every payload an object and every reply `unknown`.
 */
import type { ContractShape, EventTypes, MessageSpec, PayloadType, ReplyPayload, RequestTypes, Wire } from "./contract.js";

/** Options of `session.request`. */
export interface ServerRequestOptions {
  /**
   * Milliseconds to wait for the peer's `$reply` before rejecting with `RequestTimeoutError` (default: the
   * endpoint's `requestTimeout`, 30 000).
   */
  timeout?: number | undefined;
}

/** What a sender may pass for a payload spec: the class instance (or marker type) itself, or its wire form. */
export type PayloadInput<S> = S extends PayloadType<infer T>
  ? T | Wire<T>
  : S extends abstract new (...args: never[]) => infer I
    ? I | Wire<I>
    : never;

/** Names of the server's messages that expect no reply (any string for an untyped session). */
export type ServerEventType<C extends ContractShape | undefined> = C extends ContractShape ? EventTypes<C, "server"> : string;

/** Names of the server's messages that are requests (any string for an untyped session). */
export type ServerRequestType<C extends ContractShape | undefined> = C extends ContractShape ? RequestTypes<C, "server"> : string;

/** The payload the server passes for its message `K` (any object for an untyped session). */
export type ServerPayload<C extends ContractShape | undefined, K extends string> = C extends ContractShape
  ? K extends keyof C["server"]
    ? C["server"][K] extends MessageSpec
      ? PayloadInput<C["server"][K]["payload"]>
      : never
    : never
  : object;

/** What `session.request(K, …)` resolves to: the reply's wire type (`unknown` for an untyped session). */
export type ServerReply<C extends ContractShape | undefined, K extends string> = C extends ContractShape
  ? K extends keyof C["server"]
    ? ReplyPayload<C, "server", K>
    : never
  : unknown;

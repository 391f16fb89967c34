/**
 * The server side of a contract: `session.typed(chatContract)` returns the session as a
 * {@link ContractSession}, whose `send` and `request` take only the contract's `server` messages with their
 * payloads. Types only, over contract.ts, so this entry stays free of the rest of the package.
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

/** The payload the server passes for its message `K` of contract `C`. */
export type ServerPayload<C extends ContractShape, K extends keyof C["server"]> = C["server"][K] extends MessageSpec
  ? PayloadInput<C["server"][K]["payload"]>
  : never;

/** The outcome of a push: `{ ok: true }`, or `{ ok: false, error }` (the session's `SendResult`); never a rejection. */
export type PushResult = { readonly ok: true } | { readonly ok: false; readonly error: Error };

/**
 * A session typed by contract `C` (what `session.typed(contract)` returns: the same session object).
 * Pushing a message the contract does not list, a payload of the wrong shape, or requesting an event is a
 * TypeScript error.
 *
 * @example
 * ```ts
 * @OnMessage({ type: "join", reply: Joined })
 * async join(req: JoinRequest, session: Session) {
 *   const chat = session.typed(chatContract);
 *   chat.send("said", { from: "server", text: `welcome to ${req.room}` });
 *   const { accepted } = await chat.request("confirm", { question: "Stay?" }, { timeout: 5000 });
 *   return { type: "joined", room: req.room, online: 1 };
 * }
 * ```
 */
export interface ContractSession<C extends ContractShape> {
  /** Pushes event `type` of the contract's `server` section (see `Session.send`). */
  send<K extends EventTypes<C, "server">>(type: K, payload: ServerPayload<C, K>): PromiseLike<PushResult>;
  /** Sends request `type` of the contract's `server` section and resolves with the peer's reply (see `Session.request`). */
  request<K extends RequestTypes<C, "server">>(type: K, payload: ServerPayload<C, K>, options?: ServerRequestOptions): Promise<ReplyPayload<C, "server", K>>;
}

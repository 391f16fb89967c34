/**
 * The message contract shared by a server endpoint and its clients: one object, written once, that names
 * every message type each side sends, its payload and (for requests) its reply. The server checks its
 * endpoint against it at bootstrap; front-end code imports its *type* (`import type`) so that the browser
 * bundle carries no DTO classes, validators or decorators, and `send`/`on`/`request` are checked by the
 * TypeScript compiler against the same DTO classes the server validates with.
 *
 * This file is types plus one identity function: it must stay free of Node built-ins and of every other
 * module of the package, because `ws-endpoints/browser` type-imports it.
 */

/** A class whose instances are the payload (a DTO validated on the server), or a type-only marker. */
export type PayloadSpec = abstract new (...args: never[]) => object;

/** A payload type with no class behind it (`payloadType<{ at: string }>()`): a compile-time type only. */
export interface PayloadType<T> {
  /** @hidden phantom: never set at run time. */
  readonly __payload?: T;
  /** Tells a type marker from a DTO class at run time (the server's contract check skips its class comparison). */
  readonly kind: "type";
}

/** One message type of the contract: its payload and, when it is a request, the payload of its reply. */
export interface MessageSpec {
  /** The DTO class the server validates this message with, or a `payloadType<T>()` marker. */
  readonly payload: PayloadSpec | PayloadType<unknown>;
  /** Present when the sender expects an answer: the answer's payload. */
  readonly reply?: PayloadSpec | PayloadType<unknown> | undefined;
}

/** The message types of one endpoint, by sender. Names are the envelope `type` values. */
export interface ContractShape {
  /** Messages the client sends and the server handles (`@OnMessage({ type })`). */
  readonly client: Readonly<Record<string, MessageSpec>>;
  /** Messages the server sends and the client handles (pushes, broadcasts, server→client requests). */
  readonly server: Readonly<Record<string, MessageSpec>>;
}

/** The fields of a payload type as they travel in JSON: methods dropped, nested objects likewise. */
export type Wire<T> = T extends string | number | boolean | null | undefined
  ? T
  : T extends Date
    ? string
    : T extends readonly (infer E)[]
      ? Wire<E>[]
      : T extends object
        ? { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: Wire<T[K]> }
        : never;

/** The wire type of a `PayloadSpec`. */
export type PayloadOf<S> = S extends PayloadType<infer T>
  ? Wire<T>
  : S extends abstract new (...args: never[]) => infer I
    ? Wire<I>
    : never;

/** Payload a sender puts on the wire for message `K` of side `Side`. */
export type MessagePayload<C extends ContractShape, Side extends keyof ContractShape, K extends keyof C[Side]> =
  C[Side][K] extends MessageSpec ? PayloadOf<C[Side][K]["payload"]> : never;

/** Reply payload of request `K` of side `Side` (`never` when `K` is not a request). */
export type ReplyPayload<C extends ContractShape, Side extends keyof ContractShape, K extends keyof C[Side]> =
  C[Side][K] extends { readonly reply: infer R } ? (R extends undefined ? never : PayloadOf<R>) : never;

/** Names of side `Side`'s messages that expect a reply. */
export type RequestTypes<C extends ContractShape, Side extends keyof ContractShape> = {
  [K in keyof C[Side]]: C[Side][K] extends { readonly reply: PayloadSpec | PayloadType<unknown> } ? K : never;
}[keyof C[Side]] & string;

/** Names of side `Side`'s messages that do not expect a reply. */
export type EventTypes<C extends ContractShape, Side extends keyof ContractShape> = Exclude<
  keyof C[Side] & string,
  RequestTypes<C, Side>
>;

/**
 * Declares a contract. Returns its argument unchanged (frozen), typed exactly as written so that
 * `typeof contract` carries every message name and payload class.
 *
 * @example
 * ```ts
 * export const chatContract = defineContract({
 *   client: { say: { payload: SayMessage }, join: { payload: JoinRequest, reply: Joined } },
 *   server: { said: { payload: Said } },
 * });
 * export type ChatContract = typeof chatContract;
 * ```
 */
export function defineContract<const C extends ContractShape>(contract: C): C {
  return Object.freeze(contract);
}

/** A payload type without a class: `{ payload: payloadType<{ at: string }>() }`. */
export function payloadType<T>(): PayloadType<T> {
  return { kind: "type" };
}

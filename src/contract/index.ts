/**
 * `ws-endpoints/contract`: the message contract shared by a server endpoint and its clients.
 * Free of Node built-ins and of the rest of the package, so browser code can import its types.
 *
 * @packageDocumentation
 */
export { defineContract, payloadType } from "./contract.js";
export type {
  ContractShape,
  MessageSpec,
  PayloadSpec,
  PayloadType,
  PayloadOf,
  Wire,
  MessagePayload,
  ReplyPayload,
  RequestTypes,
  EventTypes,
} from "./contract.js";
export type { ServerRequestOptions, PayloadInput, ServerPayload, PushResult, ContractSession } from "./session-types.js";

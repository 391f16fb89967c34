/**
 * `ws-endpoints/broker`: the service-provider interface for brokers, the seam between one server node and
 * the others serving the same application. Applications pick a broker (`MemoryBroker` from
 * `ws-endpoints`, `RedisBroker` from `ws-endpoints/redis`); only authors of a new broker need this entry.
 *
 * @example
 * ```ts
 * import { BrokerMessageKinds, type Broker, type BrokerMessage, type BrokerNode } from "ws-endpoints/broker";
 *
 * function describe(message: BrokerMessage): string {
 *   return message.kind === BrokerMessageKinds.BROADCAST ? `to room ${message.room ?? "*"}` : `to user ${message.userId}`;
 * }
 * ```
 * @packageDocumentation
 */
export { BrokerMessageKinds, PayloadKinds, PresenceChangeKinds, BROKER_MESSAGE, PAYLOAD, PRESENCE_CHANGE } from "./broker.js";
export type {
  Broker,
  BrokerNode,
  BrokerSubscription,
  BrokerMessage,
  BrokerMessageKind,
  BrokerPayload,
  PayloadKind,
  PresenceChange,
  PresenceEntry,
  PresenceRecord,
} from "./broker.js";

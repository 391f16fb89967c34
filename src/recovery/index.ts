/**
 * `ws-endpoints/recovery`: session recovery. A session of an endpoint with `recovery: { window }` that
 * drops abnormally gets its id, rooms, user properties and every message it missed back when its client
 * returns within the window (docs/reliability.md, "Session recovery"). The default store is a
 * {@link MemoryRecoveryStore}; `RedisRecoveryStore` (ws-endpoints/redis) spans nodes.
 *
 * @example
 * ```ts
 * import { bootstrap, ServerEndpoint } from "ws-endpoints";
 * import { MemoryRecoveryStore } from "ws-endpoints/recovery";
 *
 * @ServerEndpoint({ path: "/chat", recovery: { window: "2m" } })
 * class Chat {}
 *
 * await bootstrap({ endpoints: [Chat], recoveryStore: new MemoryRecoveryStore({ maxBytes: 32 * 1024 * 1024 }) });
 * ```
 * @packageDocumentation
 */
export { MemoryRecoveryStore, MEMORY_STORE_DEFAULTS, type MemoryRecoveryStoreOptions } from "./memory-store.js";
export { RECOVERY_DEFAULTS, type RecoveryCandidate, type RecoveryOptions } from "./recovery-options.js";
export type {
  ClaimRequest, ClaimResult, RecoveryStore, RecoveryStoreListener, RecoveryStoreStats, SessionBounds, SessionEntry, SessionState, StoredMessage,
} from "./store.js";
export { OFFSET_PARAM, RecoveryRefusals, TOKEN_PARAM, type RecoveryControl, type RecoveryRefusal } from "../contract/recovery-wire.js";
export type { RecoveryStatus } from "../contract/recovery-wire.js";

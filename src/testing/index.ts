/**
 * `ws-endpoints/testing`: unit-test endpoints without a port ({@link MockSession}, {@link EndpointHarness})
 * and with real sockets on loopback ({@link TestServer}).
 *
 * @packageDocumentation
 */
import "reflect-metadata";

export { MockSession } from "./mock-session.js";
export type { MockSessionOptions } from "./mock-session.js";
export type { ObjectEncoder } from "../codec/coders.js";
export type { SentMessage } from "./in-memory-transport.js";
export { EndpointHarness, HarnessConnection } from "./endpoint-harness.js";
export type { HarnessOptions, HarnessConnectOptions, Provider } from "./endpoint-harness.js";
import type { HarnessConnectOptions } from "./endpoint-harness.js";
/** @deprecated Renamed {@link HarnessConnectOptions} (the client's options keep `ConnectOptions`); removed in the next release. */
export type ConnectOptions = HarnessConnectOptions;
export { TestServer, TestClient } from "./test-server.js";
export type { ReceivedMessage, ClientClose } from "./test-server.js";

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
export type { HarnessOptions, ConnectOptions, Provider } from "./endpoint-harness.js";
export { TestServer, TestClient } from "./test-server.js";
export type { ReceivedMessage, ClientClose } from "./test-server.js";

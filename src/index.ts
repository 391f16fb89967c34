/**
 * ws-endpoints: decorator-based WebSocket endpoints for TypeScript on Node.js.
 *
 * @packageDocumentation
 */
// Loaded here so decorator metadata is recorded even when the application forgets to import it:
// TypeScript silently skips `design:paramtypes` when Reflect.metadata is missing at class definition.
import "reflect-metadata";
export { ServerEndpoint } from "../decorators/server-endpoint.js";
export { ClientEndpoint } from "../decorators/client-endpoint.js";
export { OnOpen, OnMessage, OnClose, OnError } from "../decorators/lifecycle.js";
export { PathParam, QueryParam, Payload, Principal, SessionParam, CloseReasonParam, ErrorParam } from "../decorators/params.js";
export type { ServerEndpointOptions, ClientEndpointOptions, OnMessageOptions, EndpointClass } from "../decorators/metadata.js";

export { bootstrap } from "./server/bootstrap.js";
export type { ServerHandle } from "./server/bootstrap.js";
export type { BootstrapOptions } from "./server/options.js";

export { connectToServer } from "./client/connect.js";
export type { ConnectOptions, HeartbeatOptions } from "./client/client-options.js";
export type { ClientSession } from "./client/client-session.js";
export { backoffSchedule, BufferPolicies } from "./client/reconnect.js";
export type { ReconnectOptions, ReconnectEvent, BufferPolicy, ReconnectInstance } from "./client/reconnect.js";

export { Session } from "./session/session.js";
export type { RemoteEndpoint, SendHandler, BinaryData } from "./session/remote-endpoint.js";
export type { AsyncSendHandle, SendResult } from "./session/pending-send.js";
export { CloseReason, CloseCodes } from "./close-reason.js";
export type { CloseCode } from "./close-reason.js";
export { PongMessage } from "./codec/pong-message.js";
export { TextMessage } from "./session/text-message.js";

export {
  ErrorCodes,
  WebSocketEndpointError,
  EndpointDefinitionError,
  InvalidOptionsError,
  SessionClosedError,
  HandlerError,
  HandlerTimeoutError,
  UnsupportedMessageError,
  DecodeError,
  EncodeError,
  HandshakeRejectedError,
  HandshakeRejected,
  SendTimeoutError,
  QueueOverflowError,
  FragmentInterleavedError,
  TransportError,
  ConnectError,
  HandshakeRefusedError,
  RateLimitedError,
  BrokerError,
  MissingPeerDependencyError,
  DuplicatePeerDependencyError,
  RequestFailedError,
  RequestTimeoutError,
  ForbiddenError,
} from "./errors.js";
export type { ErrorCode, DefinitionProblem, FieldError } from "./errors.js";

export { registerPrometheusMetrics } from "./metrics/prometheus.js";
export type { PrometheusRegistry, MetricsSource } from "./metrics/prometheus.js";
export type { ServerMetrics, EndpointMetrics, HandlerLatency, LatencyBucket, MetricsOptions } from "./metrics/metrics.js";
export type { Decoder, Encoder, DecoderClass, EncoderClass } from "./codec/coders.js";
export { InvalidMessagePolicies, INVALID_MESSAGE_POLICY } from "./codec/codec-options.js";
export type { CodecOptions, ValidationOptions, EnvelopeOptions, InvalidMessagePolicy } from "./codec/codec-options.js";
export { DecodeReasons } from "./codec/decode-reasons.js";
export type { DecodeReason } from "./codec/decode-reasons.js";
export type { ErrorReply } from "./codec/invalid-message.js";
export { Configurator } from "./handshake/configurator.js";
export type { HandshakeRequest, ResponseHeaders } from "./handshake/configurator.js";
export type { AllowedOrigin } from "./handshake/origin.js";
export type { PerMessageDeflateOptions } from "./handshake/deflate.js";
export type { TrustProxy } from "./handshake/trust-proxy.js";
export type { RateLimitOptions } from "./runtime/rate-limit.js";
export type { OutboundOptions, OverflowPolicy } from "./session/outbound-options.js";
export { PRINCIPAL } from "./di/injection.js";

export { Broadcaster, Presence } from "./broker/broadcaster.js";
export type { BroadcastData, BroadcastOptions, BroadcastResult } from "./broker/broadcaster.js";
export { MemoryBroker } from "./broker/memory-broker.js";
// The broker SPI (BrokerNode, BrokerMessage, ...) is on `ws-endpoints/broker`: only broker authors need it.
export type { Broker, PresenceEntry } from "./broker/broker.js";
export type { UserIdSource } from "./broker/rooms.js";

export { defaultLogger, silentLogger } from "./metrics/logger.js";
export type { Logger } from "./metrics/logger.js";

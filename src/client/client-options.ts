import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { checkCodecOptions, type CodecOptions } from "../codec/codec-options.js";
import { InvalidOptionsError } from "../errors.js";
import { defaultLogger, type Logger } from "../metrics/logger.js";
import { resolveReconnect, type ReconnectOptions, type ReconnectPolicy } from "./reconnect.js";
import { checkBoolean, checkDuration, checkHttpTokens, checkInteger, checkKnownKeys } from "../util/check-options.js";

/** Client heartbeat: a ping every `interval`; no pong within `timeout` means the connection is dead. */
export interface HeartbeatOptions {
  /** Milliseconds between pings (default 30 000). */
  interval?: number | undefined;
  /** Milliseconds to wait for the pong before dropping the connection (default 10 000). */
  timeout?: number | undefined;
}

/** Options of {@link connectToServer}. Every field is optional. */
export interface ConnectOptions {
  /** Extra headers of the upgrade request (e.g. `authorization`). */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Subprotocols to offer, in order of preference (default: the `@ClientEndpoint` ones). */
  subprotocols?: readonly string[] | undefined;
  /** Milliseconds the opening handshake may take (default 10 000). */
  handshakeTimeout?: number | undefined;
  /** Reconnect automatically after the connection is lost: `true` for the defaults, or options (default off). */
  reconnect?: boolean | ReconnectOptions | undefined;
  /** Ping the server and treat missing pongs as a dead connection: `false` to turn off, or options (default on, 30 s / 10 s). */
  heartbeat?: boolean | HeartbeatOptions | undefined;
  /** Parent DI container of the endpoint instance (default: tsyringe's root container). */
  container?: DependencyContainer | undefined;
  /** Where the client logs (pino-compatible). Default: warnings and errors to stderr. */
  logger?: Logger | undefined;
  /** Inbound messages queued before reading from the socket pauses (default 1024). */
  inboundQueueLimit?: number | undefined;
  /** Bytes of inbound messages queued before reading from the socket pauses (default 4 MiB). */
  inboundQueueBytes?: number | undefined;
  /** Decoders, encoders, DTO validation, invalid-message policy and envelope fields, as `bootstrap({ codecs })`. */
  codecs?: CodecOptions | undefined;
  /**
   * Session recovery (default off): ask the server for a recoverable session, and on each reconnect
   * present its token and the number of messages received, so a server endpoint with `recovery` gives
   * the session back with what was missed. `session.getRecovery()` tells how each connection went.
   */
  recovery?: boolean | undefined;
}

/** Connect options after defaults and validation. */
export interface ResolvedConnectOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly subprotocols: readonly string[] | undefined;
  readonly handshakeTimeout: number;
  /** `null` when reconnecting is off. */
  readonly reconnect: ReconnectPolicy | null;
  /** `null` when the heartbeat is off. */
  readonly heartbeat: Readonly<Required<HeartbeatOptions>> | null;
  readonly container: DependencyContainer;
  readonly logger: Logger;
  readonly inboundQueueLimit: number;
  readonly inboundQueueBytes: number;
  readonly codecs: Readonly<CodecOptions> | undefined;
  readonly recovery: boolean;
}

/** Defaults of {@link ConnectOptions}. */
export const CONNECT_DEFAULTS = Object.freeze({
  handshakeTimeout: 10_000,
  heartbeat: Object.freeze({ interval: 30_000, timeout: 10_000 }),
  inboundQueueLimit: 1024,
  inboundQueueBytes: 4 * 1024 * 1024,
});

// Records over keyof, not lists: an option added to the type without being listed here fails to compile.
const KNOWN: Readonly<Record<keyof ConnectOptions, true>> = {
  headers: true, subprotocols: true, handshakeTimeout: true, reconnect: true, heartbeat: true, container: true, logger: true,
  inboundQueueLimit: true, inboundQueueBytes: true, codecs: true, recovery: true,
};
const HEARTBEAT_KNOWN: Readonly<Record<keyof HeartbeatOptions, true>> = { interval: true, timeout: true };

/** Validates once and freezes. @throws InvalidOptionsError naming every bad field. */
export function resolveConnectOptions(options: ConnectOptions): ResolvedConnectOptions {
  const problems: string[] = [];
  if (options === null || typeof options !== "object") throw new InvalidOptionsError("connectToServer options must be an object.");
  checkKnownKeys(problems, "", options, KNOWN);
  const headers = options.headers ?? {};
  if (typeof headers !== "object" || headers === null || Object.values(headers).some((v) => typeof v !== "string")) {
    problems.push("headers must be an object of string values");
  }
  const sp = options.subprotocols;
  checkHttpTokens(problems, "subprotocols", sp);
  checkDuration(problems, "handshakeTimeout", options.handshakeTimeout);
  checkInteger(problems, "inboundQueueLimit", options.inboundQueueLimit);
  checkInteger(problems, "inboundQueueBytes", options.inboundQueueBytes);
  checkBoolean(problems, "recovery", options.recovery);
  let reconnect: ReconnectPolicy | null = null;
  if (options.reconnect === true) reconnect = resolveReconnect({}, problems);
  else if (options.reconnect !== undefined && options.reconnect !== false) reconnect = resolveReconnect(options.reconnect, problems);
  let heartbeat: Readonly<Required<HeartbeatOptions>> | null = CONNECT_DEFAULTS.heartbeat;
  if (options.heartbeat === false) heartbeat = null;
  else if (typeof options.heartbeat === "object" && options.heartbeat !== null) {
    checkKnownKeys(problems, "heartbeat", options.heartbeat, HEARTBEAT_KNOWN);
    checkDuration(problems, "heartbeat.interval", options.heartbeat.interval);
    checkDuration(problems, "heartbeat.timeout", options.heartbeat.timeout);
    heartbeat = Object.freeze({
      interval: options.heartbeat.interval ?? CONNECT_DEFAULTS.heartbeat.interval,
      timeout: options.heartbeat.timeout ?? CONNECT_DEFAULTS.heartbeat.timeout,
    });
  } else if (options.heartbeat !== undefined && options.heartbeat !== true) problems.push("heartbeat must be true, false or { interval, timeout }");
  problems.push(...checkCodecOptions(options.codecs, "codecs"));
  if (problems.length > 0) throw new InvalidOptionsError(`Invalid connectToServer options: ${problems.join("; ")}.`);
  return Object.freeze({
    headers: Object.freeze({ ...headers }),
    subprotocols: sp === undefined ? undefined : Object.freeze([...sp]),
    handshakeTimeout: options.handshakeTimeout ?? CONNECT_DEFAULTS.handshakeTimeout,
    reconnect,
    heartbeat,
    container: options.container ?? rootContainer,
    logger: options.logger ?? defaultLogger,
    inboundQueueLimit: options.inboundQueueLimit ?? CONNECT_DEFAULTS.inboundQueueLimit,
    inboundQueueBytes: options.inboundQueueBytes ?? CONNECT_DEFAULTS.inboundQueueBytes,
    codecs: options.codecs === undefined ? undefined : Object.freeze({ ...options.codecs }),
    recovery: options.recovery === true,
  });
}

/**
 * Options of the browser client's `connect`: their types, defaults and validation. Reconnect option names
 * and rules are the Node client's (`connectToServer({ reconnect })`), so one set of numbers tunes both.
 */
import { ClientOptionsError } from "./errors.js";
import type { BackoffOptions } from "./backoff.js";
import type { WebSocketConstructor } from "./socket.js";

/** What `send`/`request` do when the outage buffer is full. */
export type BrowserBufferPolicy = "drop-newest" | "drop-oldest" | "close";

/** Automatic reconnection (`connect(url, { reconnect })`). Every field is optional. */
export interface BrowserReconnectOptions extends BackoffOptions {
  /** Reconnect after a normal close (1000) by the server too (default false). */
  onNormalClose?: boolean | undefined;
  /** Messages held while disconnected (default 1024). */
  bufferLimit?: number | undefined;
  /** Bytes (UTF-8) of messages held while disconnected (default 1 MiB). */
  bufferBytes?: number | undefined;
  /**
   * When the buffer is full: `"drop-newest"` (default) refuses the new message (`send` throws, `request`
   * rejects, with `BufferOverflowError`); `"drop-oldest"` drops the oldest held message (a dropped request
   * rejects); `"close"` closes the client for good.
   */
  bufferPolicy?: BrowserBufferPolicy | undefined;
}

/** Application-level liveness: a `$ping` after `interval` ms of silence; no message within `timeout` after it closes the connection. */
export interface LivenessOptions {
  /** Milliseconds without an inbound message before the client sends `$ping` (default 30 000). */
  interval?: number | undefined;
  /** Milliseconds to wait for any message after a `$ping` (default 10 000). */
  timeout?: number | undefined;
}

/** Envelope field names: set them like the endpoint's `codecs.envelope`. */
export interface EnvelopeOptions {
  /** Discriminator field (default `"type"`). */
  typeField?: string | undefined;
  /** Correlation id field (default `"id"`). */
  idField?: string | undefined;
  /** `null` (default): payload fields inline; a name: the payload under that field. */
  dataField?: string | null | undefined;
}

/** Options of `connect`. Every field is optional. */
export interface BrowserConnectOptions {
  /** The `WebSocket` class (default: the global one; pass `ws`'s under Node). */
  WebSocket?: WebSocketConstructor | undefined;
  /** Subprotocols to offer. */
  protocols?: string | readonly string[] | undefined;
  /** Reconnect automatically: `false` to turn off, `true` or options (default on). */
  reconnect?: boolean | BrowserReconnectOptions | undefined;
  /** Default timeout of `request`, in ms (default 10 000). */
  requestTimeout?: number | undefined;
  /** Requests awaiting an answer at once; more reject with `BufferOverflowError` (default 1024). */
  maxPendingRequests?: number | undefined;
  /**
   * Session recovery (default off; the endpoint needs `recovery: { window }`): ask for a recoverable
   * session, and on each reconnect present its token and the count of messages received, so the server
   * gives the same session back with what it sent meanwhile, replayed in order before anything new. The
   * outcome is `client.recovery` and the `open` state's `recovery`.
   */
  recovery?: boolean | undefined;
  /** Detect a dead connection with `$ping`/`$pong` (the endpoint needs `liveness: true`): `true` or options (default off). */
  liveness?: boolean | LivenessOptions | undefined;
  /** Envelope field names, when the endpoint changed them. */
  envelope?: EnvelopeOptions | undefined;
  /** Called with errors nobody else can receive: a listener or handler that threw, an unreadable message (default `console.error`). */
  onError?: ((error: unknown) => void) | undefined;
}

/** Options after defaults and validation. */
export interface ClientSettings {
  readonly WebSocket: WebSocketConstructor;
  readonly protocols: string | string[] | undefined;
  readonly reconnect: boolean;
  readonly initialDelay: number;
  readonly maxDelay: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly maxAttempts: number;
  readonly onNormalClose: boolean;
  readonly bufferLimit: number;
  readonly bufferBytes: number;
  readonly bufferPolicy: BrowserBufferPolicy;
  readonly requestTimeout: number;
  readonly maxPendingRequests: number;
  readonly recovery: boolean;
  /** 0 when liveness is off. */
  readonly livenessInterval: number;
  readonly livenessTimeout: number;
  readonly typeField: string;
  readonly idField: string;
  readonly dataField: string | null;
  readonly onError: (error: unknown) => void;
}

/** Defaults of the options, reconnect and liveness fields included (documented on each option). */
export const BROWSER_DEFAULTS = {
  initialDelay: 250,
  maxDelay: 30_000,
  multiplier: 2,
  jitter: 0.5,
  maxAttempts: Infinity,
  onNormalClose: false,
  bufferLimit: 1024,
  bufferBytes: 1024 * 1024,
  bufferPolicy: "drop-newest",
  requestTimeout: 10_000,
  maxPendingRequests: 1024,
  recovery: false,
  interval: 30_000,
  timeout: 10_000,
} as const;

type Check = (v: unknown) => boolean;
const ms: Check = (v) => typeof v === "number" && v >= 0 && v < Infinity;
const count: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const RULES: Record<string, [Check, string]> = {
  initialDelay: [ms, "a non-negative number of ms"],
  maxDelay: [ms, "a non-negative number of ms"],
  multiplier: [(v) => typeof v === "number" && v >= 1 && v < Infinity, "a number >= 1"],
  jitter: [(v) => typeof v === "number" && v >= 0 && v <= 1, "from 0 to 1"],
  maxAttempts: [(v) => v === Infinity || (count(v) && (v as number) > 0), "a positive integer (or Infinity)"],
  onNormalClose: [(v) => typeof v === "boolean", "true or false"],
  recovery: [(v) => typeof v === "boolean", "true or false"],
  bufferLimit: [count, "a non-negative integer"],
  bufferBytes: [count, "a non-negative integer"],
  bufferPolicy: [(v) => v === "drop-newest" || v === "drop-oldest" || v === "close", 'one of "drop-newest", "drop-oldest", "close"'],
  requestTimeout: [ms, "a non-negative number of ms"],
  maxPendingRequests: [count, "a non-negative integer"],
  interval: [(v) => ms(v) && (v as number) > 0, "a positive number of ms"],
  timeout: [(v) => ms(v) && (v as number) > 0, "a positive number of ms"],
  typeField: [(v) => typeof v === "string" && v !== "", "a non-empty string"],
  idField: [(v) => typeof v === "string" && v !== "", "a non-empty string"],
  dataField: [(v) => v === null || (typeof v === "string" && v !== ""), "null or a non-empty string"],
};
const TOP = ["WebSocket", "protocols", "reconnect", "requestTimeout", "maxPendingRequests", "recovery", "liveness", "envelope", "onError"];
const RECONNECT = ["initialDelay", "maxDelay", "multiplier", "jitter", "maxAttempts", "onNormalClose", "bufferLimit", "bufferBytes", "bufferPolicy"];

/** Checks one options object's keys and values into `into`, appending one sentence per problem. */
function take(problems: string[], prefix: string, given: object, keys: readonly string[], into: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(given)) {
    if (!keys.includes(key)) problems.push(`${prefix}${key} is not an option (known: ${keys.join(", ")})`);
    else if (value === undefined) continue;
    else if (RULES[key] && !RULES[key][0](value)) problems.push(`${prefix}${key} must be ${RULES[key][1]}; got ${String(value)}`);
    else into[key] = value;
  }
}

/** A boolean-or-object option: `undefined` → the default, `true` → `{}`, `false` → off (`null`). */
function section(problems: string[], name: string, v: unknown, on: boolean): object | null {
  if (v === undefined) return on ? {} : null;
  if (typeof v === "boolean") return v ? {} : null;
  if (v !== null && typeof v === "object") return v;
  problems.push(`${name} must be true, false or an options object`);
  return null;
}

/** Validates once. @throws ClientOptionsError naming every bad field. */
export function resolveOptions(options: BrowserConnectOptions): ClientSettings {
  const problems: string[] = [];
  const s: Record<string, unknown> = { ...BROWSER_DEFAULTS, typeField: "type", idField: "id", dataField: null };
  if (options === null || typeof options !== "object") throw new ClientOptionsError("connect options must be an object.");
  // Top-level values land in `s` too; the sections among them are replaced by their resolved fields below.
  take(problems, "", options, TOP, s);
  const reconnect = section(problems, "reconnect", options.reconnect, true);
  if (reconnect) take(problems, "reconnect.", reconnect, RECONNECT, s);
  const liveness = section(problems, "liveness", options.liveness, false);
  if (liveness) take(problems, "liveness.", liveness, ["interval", "timeout"], s);
  if (options.envelope !== undefined) take(problems, "envelope.", options.envelope, ["typeField", "idField", "dataField"], s);
  if ((s["initialDelay"] as number) > (s["maxDelay"] as number)) problems.push("reconnect.initialDelay must not exceed reconnect.maxDelay");
  const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof WS !== "function") problems.push("WebSocket must be a WebSocket class; this runtime has no global WebSocket, so pass one (e.g. ws's)");
  if (options.onError !== undefined && typeof options.onError !== "function") problems.push("onError must be a function");
  if (problems.length > 0) throw new ClientOptionsError(`Invalid connect options: ${problems.join("; ")}.`);
  const p = options.protocols;
  return {
    ...(s as unknown as ClientSettings),
    WebSocket: WS!,
    protocols: p === undefined || typeof p === "string" ? p : [...p],
    reconnect: reconnect !== null,
    livenessInterval: liveness ? (s["interval"] as number) : 0,
    livenessTimeout: s["timeout"] as number,
    // Nothing that a page can see otherwise: a console line, like an uncaught listener error in an EventTarget.
    onError: options.onError ?? ((e) => console.error(e)),
  };
}

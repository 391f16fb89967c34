/**
 * The browser client: one logical connection over a series of WebSockets. It reconnects with the Node
 * client's backoff, holds sends in a bounded buffer while disconnected, correlates requests by envelope
 * id, answers server requests with `$reply`, and (opt-in) detects a silent connection with `$ping`.
 */
import type { ContractShape, EventTypes, MessagePayload, ReplyPayload, RequestTypes } from "../contract/contract.js";
import type { RecoveryStatus } from "../contract/recovery-wire.js";
import { answer, type Handler } from "./answer.js";
import { backoffDelay } from "./backoff.js";
import { encode, payloadOf, requestError, type Json } from "./envelope.js";
import { BufferOverflowError, ClientOptionsError, ConnectionClosedError, RequestTimeoutError, type RequestError } from "./errors.js";
import { resolveOptions, type BrowserConnectOptions, type ClientSettings } from "./options.js";
import { OutageBuffer, utf8Length } from "./outage-buffer.js";
import { RecoveryTracker } from "./recovery.js";
import { OPEN, type WebSocketLike } from "./socket.js";
import type { ClientState, RequestOptions } from "./state.js";

interface Pending {
  readonly type: string;
  readonly resolve: (value: never) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout> | undefined;
  /** Written to a connection: lost with it. Still held in the buffer: kept for the next connection. */
  sent: boolean;
}

type Listener = (payload: never) => void;

/** Code of the local close after a liveness timeout (or, with `recovery`, no control message within `requestTimeout`). */
export const LIVENESS_TIMEOUT = 4000;

/**
 * A connection to one endpoint, typed by its contract `C`: `send` and `request` take the client messages,
 * `on` and `handle` the server messages. Created by {@link connect}.
 */
export class BrowserClient<C extends ContractShape = ContractShape> {
  private readonly s: ClientSettings;
  private ws: WebSocketLike | null = null;
  private current: ClientState = { state: "connecting" };
  private ended = false;
  private attempt = 0;
  private nextId = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private live: ReturnType<typeof setTimeout> | undefined;
  private lastIn = 0;
  private pinged = false;
  /** The current connection takes sends (with recovery: once its control message came). */
  private up = false;
  /** With recovery: null, or the current connection's control message is awaited (until this timer, if any). */
  private awaiting: ReturnType<typeof setTimeout> | undefined | null = null;
  /** Close code of the last lost connection. */
  private lastCode = 1006;
  private readonly rec: RecoveryTracker | null;
  private readonly buffer: OutageBuffer;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly handlers = new Map<string, Handler>();
  private readonly watchers = new Set<(state: ClientState) => void>();
  private readonly ping: string;
  private readonly pong: string;

  /** Prefer {@link connect}. @throws ClientOptionsError for invalid options; the WebSocket's own error for a bad URL. */
  constructor(
    /** The endpoint's `ws://` or `wss://` URL. */
    readonly url: string,
    options: BrowserConnectOptions = {},
  ) {
    this.s = resolveOptions(options);
    this.buffer = new OutageBuffer(this.s.bufferLimit, this.s.bufferBytes);
    this.ping = JSON.stringify({ [this.s.typeField]: "$ping" });
    this.pong = JSON.stringify({ [this.s.typeField]: "$pong" });
    this.rec = this.s.recovery ? new RecoveryTracker() : null;
    this.open(true);
  }

  /** The current state. */
  get state(): ClientState {
    return this.current;
  }

  /** Messages held in the outage buffer, and their UTF-8 bytes. */
  get buffered(): {
    /** Messages held. */
    readonly count: number;
    /** Their UTF-8 bytes. */
    readonly bytes: number;
  } {
    return { count: this.buffer.size, bytes: this.buffer.bytes };
  }

  /**
   * With the `recovery` option: the session of the current (or last) connection — its id, whether it was
   * recovered, why a recovery was refused (`"expired"`, `"unknown-token"` …; the session is then new) and
   * the messages received in it. Null without the option, before the first connection opened, or when
   * the endpoint has no recovery.
   */
  get recovery(): RecoveryStatus | null {
    return this.rec?.status ?? null;
  }

  /** Calls `listener` on every state change; returns the function that stops it. */
  onState(listener: (state: ClientState) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /**
   * Sends a client event. While disconnected it is held and sent after the reconnect, in order.
   * @throws BufferOverflowError when the buffer is full under `"drop-newest"` or `"close"`; ConnectionClosedError once the client is closed.
   */
  send<K extends EventTypes<C, "client">>(type: K, payload: MessagePayload<C, "client", K>): void {
    this.out(type, payload, undefined);
  }

  /**
   * Sends a client request and resolves with the server's reply payload. Rejects with `RequestError`
   * (the server answered with an error), `RequestTimeoutError`, `ConnectionClosedError` (the connection
   * dropped after the request was sent; a request still held in the buffer waits for the reconnect) or
   * `BufferOverflowError`.
   */
  request<K extends RequestTypes<C, "client">>(
    type: K,
    payload: MessagePayload<C, "client", K>,
    options?: RequestOptions,
  ): Promise<ReplyPayload<C, "client", K>> {
    return new Promise((resolve, reject) => {
      const timeout = options?.timeout ?? this.s.requestTimeout;
      if (!(timeout >= 0 && timeout < Infinity)) throw new ClientOptionsError(`request timeout must be a non-negative number of ms; got ${String(timeout)}.`);
      if (this.pending.size >= this.s.maxPendingRequests) {
        throw new BufferOverflowError(`${this.pending.size} requests await an answer (maxPendingRequests); "${type}" was not sent.`);
      }
      const id = ++this.nextId;
      const timer = timeout > 0 ? setTimeout(() => this.settle(id, new RequestTimeoutError(type, timeout)), timeout) : undefined;
      const p: Pending = { type, resolve, reject, timer, sent: false };
      this.pending.set(id, p);
      try {
        p.sent = this.out(type, payload, id);
      } catch (e) {
        this.settle(id, e as Error);
      }
    });
  }

  /**
   * Calls `listener` with the payload of every `type` message from the server; returns the function that
   * stops it. `"error"` hears the server's error messages that answer no request: the framework's
   * `VALIDATION_FAILED`/`UNKNOWN_MESSAGE_TYPE`/`INVALID_JSON` for a `send`, and application errors sent
   * in the same envelope (`{"type":"error","code":"USER_OFFLINE","message":"…"}`).
   */
  on(type: "error", listener: (error: RequestError) => void): () => void;
  on<K extends EventTypes<C, "server">>(type: K, listener: (payload: MessagePayload<C, "server", K>) => void): () => void;
  on(type: string, listener: Listener): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => void this.listeners.get(type)?.delete(listener);
  }

  /** Stops `listener`. */
  off(type: "error", listener: (error: RequestError) => void): void;
  off<K extends EventTypes<C, "server">>(type: K, listener: (payload: MessagePayload<C, "server", K>) => void): void;
  off(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener as Listener);
  }

  /**
   * Answers the server's `type` requests (`session.request(type, …)`) with what `handler` returns or
   * resolves to; a throw answers with `HANDLER_FAILED`. One handler a type: a new one replaces the old.
   * Returns the function that removes it (requests are then answered with `NO_HANDLER`).
   */
  handle<K extends RequestTypes<C, "server">>(
    type: K,
    handler: (payload: MessagePayload<C, "server", K>) => ReplyPayload<C, "server", K> | PromiseLike<ReplyPayload<C, "server", K>>,
  ): () => void {
    this.handlers.set(type, handler as Handler);
    return () => {
      if (this.handlers.get(type) === handler) this.handlers.delete(type);
    };
  }

  /**
   * Closes for good: no reconnect; held messages are dropped and waiting requests reject with
   * `ConnectionClosedError`. Closing a closed client does nothing.
   */
  close(code = 1000, reason = ""): void {
    if (this.ended) return;
    const ws = this.ws;
    if (ws) {
      ws.close(code, reason); // first: an invalid code throws before anything changed
      this.detach(ws);
    }
    this.end(code, reason, new ConnectionClosedError(`The client was closed (${code}).`, code));
  }

  private emit(state: ClientState): void {
    this.current = state;
    for (const w of [...this.watchers]) this.guard(w, state);
  }

  private guard(f: (arg: never) => unknown, arg: unknown): void {
    try {
      f(arg as never);
    } catch (e) {
      this.s.onError(e);
    }
  }

  private open(first: boolean): void {
    this.emit({ state: "connecting" });
    let ws: WebSocketLike;
    try {
      ws = new this.s.WebSocket(this.rec ? this.rec.url(this.url) : this.url, this.s.protocols);
    } catch (e) {
      if (first) throw e;
      return this.lost(null, 1006, String(e));
    }
    this.ws = ws;
    ws.onopen = () => {
      this.heard();
      if (!this.rec) return this.ready(ws);
      // The server's first message says which session this is: sends stay held until it came.
      const t = this.s.requestTimeout;
      const why = "no recovery control message";
      this.awaiting = t > 0 ? setTimeout(() => (this.lost(ws, LIVENESS_TIMEOUT, why), ws.close(LIVENESS_TIMEOUT, why)), t) : undefined;
    };
    ws.onmessage = (e) => this.receive(ws, e.data);
    ws.onclose = (e) => this.lost(ws, e.code, e.reason);
    // The close event follows every error event and decides what happens next. The no-op stays set for
    // good: ws's class is an EventEmitter, and an "error" without a listener would crash the process.
    ws.onerror = () => {};
  }

  /** The connection takes sends: state `open`, then the outage buffer drains in order. */
  private ready(ws: WebSocketLike): void {
    this.attempt = 0;
    this.up = true;
    const status = this.rec?.status;
    // Requests sent on the lost connection wait for their replies only in a recovered session's replay.
    if (status !== undefined && !status?.recovered) this.failSent(`${this.lastCode}; the session was not recovered`, this.lastCode);
    this.emit(this.rec ? { state: "open", recovery: status ?? null } : { state: "open" });
    for (const h of this.buffer.drain()) {
      ws.send(h.text);
      const p = h.id === undefined ? undefined : this.pending.get(h.id);
      if (p) p.sent = true;
    }
  }

  /** Rejects the requests written to a connection that is gone. */
  private failSent(why: string, code: number): void {
    for (const [id, p] of this.pending) if (p.sent) this.settle(id, new ConnectionClosedError(`The connection closed (${why}) before "${p.type}" was answered.`, code));
  }

  private detach(ws: WebSocketLike): void {
    ws.onopen = ws.onmessage = ws.onclose = null;
    this.ws = null;
    this.up = false;
    clearTimeout(this.awaiting ?? undefined);
    this.awaiting = null;
    clearTimeout(this.live);
    this.live = undefined;
  }

  /** Connection `ws` is gone (null: the WebSocket could not even be created). */
  private lost(ws: WebSocketLike | null, code: number, reason: string): void {
    if (ws !== this.ws) return;
    if (ws) this.detach(ws);
    this.lastCode = code;
    // With recovery, the replies may come in the replay: the next control message decides (`ready`).
    if (!this.rec) this.failSent(String(code), code);
    if (this.ended) return;
    const s = this.s;
    if (!s.reconnect || (code === 1000 && !s.onNormalClose) || this.attempt >= s.maxAttempts) {
      return this.end(code, reason, new ConnectionClosedError(`The connection closed (${code}${reason ? `: ${reason}` : ""}) and will not reconnect.`, code));
    }
    const attempt = ++this.attempt;
    const delay = backoffDelay(attempt, s, Math.random());
    this.retry = setTimeout(() => this.open(false), delay);
    this.emit({ state: "reconnecting", attempt, delay, code, reason });
  }

  private end(code: number, reason: string, error: Error): void {
    this.ended = true;
    clearTimeout(this.retry);
    this.buffer.drain();
    for (const id of [...this.pending.keys()]) this.settle(id, error);
    this.emit({ state: "closed", code, reason });
  }

  /** Encodes and writes now, or holds for the next connection; returns whether it was written. */
  private out(type: string, payload: unknown, id: number | undefined): boolean {
    if (this.ended) throw new ConnectionClosedError(`The client is closed; "${type}" was not sent.`, (this.current as { code: number }).code);
    const text = encode(this.s, type, payload, id);
    const ws = this.ws;
    if (ws && this.up && ws.readyState === OPEN) {
      ws.send(text);
      return true;
    }
    const policy = this.s.bufferPolicy;
    const dropped = this.buffer.add({ text, bytes: utf8Length(text), id }, policy === "drop-oldest");
    const full = `The outage buffer is full (bufferLimit ${this.s.bufferLimit}, bufferBytes ${this.s.bufferBytes})`;
    if (dropped === null) {
      const error = new BufferOverflowError(`${full}; "${type}" was not sent.`);
      if (policy === "close") {
        // 1006 is only reported, never sent: a socket still connecting is closed with the default code.
        if (ws) {
          this.detach(ws);
          ws.close();
        }
        this.end(1006, "outage buffer overflow", new ConnectionClosedError(`${full}; the client closed (bufferPolicy "close").`, 1006));
      }
      throw error;
    }
    for (const d of dropped) if (d.id !== undefined) this.settle(d.id, new BufferOverflowError(`${full}; a held request was dropped for a newer message.`));
    return false;
  }

  /** Settles request `id` with a reply payload or an error; later answers to it are ignored. */
  private settle(id: number, result: Error | { readonly reply: unknown }): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    this.buffer.remove(id);
    if (result instanceof Error) p.reject(result);
    else p.resolve(result.reply as never);
  }

  private receive(ws: WebSocketLike, data: unknown): void {
    this.heard();
    const rec = this.rec;
    if (rec && this.awaiting !== null) {
      clearTimeout(this.awaiting);
      this.awaiting = null;
      const control = rec.control(data);
      this.ready(ws);
      if (control || ws !== this.ws) return;
    }
    // The server numbers every message it sends after the control message, `$pong` and binary included.
    if (rec?.status) rec.received++;
    if (data === this.pong) return;
    let m: Json;
    try {
      m = JSON.parse(data as string) as Json;
      if (typeof m !== "object" || m === null || Array.isArray(m)) throw new TypeError("not a JSON object");
    } catch (e) {
      return this.s.onError(new TypeError(`Unreadable message from the server: ${String(data).slice(0, 80)} (${(e as Error).message})`));
    }
    const type = m[this.s.typeField];
    const id = m[this.s.idField];
    const payload = payloadOf(this.s, m);
    // A numeric id is the echo of one of our requests; one nobody waits for any more (timed out) is dropped.
    if (typeof id === "number") {
      if (!this.pending.has(id)) return;
      return this.settle(id, type === "error" ? requestError(m, payload, `"${this.pending.get(id)!.type}"`) : { reply: payload });
    }
    if (typeof type !== "string") return;
    if (typeof id === "string") return void this.serve(ws, type, id, payload);
    const listeners = this.listeners.get(type);
    if (listeners === undefined) return;
    const event = type === "error" ? requestError(m, payload, "a message") : payload;
    for (const l of [...listeners]) this.guard(l, event);
  }

  /** Answers server request `id` with `$reply`, on the connection it came from (a reply to a lost connection is moot). */
  private async serve(ws: WebSocketLike, type: string, id: string, payload: unknown): Promise<void> {
    const reply = await answer(this.s, this.handlers.get(type), type, id, payload);
    if (ws === this.ws && ws.readyState === OPEN) ws.send(reply);
  }

  /** Inbound traffic (or a fresh connection): the connection is alive; re-arm the liveness check. */
  private heard(): void {
    this.lastIn = Date.now();
    this.pinged = false;
    if (this.s.livenessInterval > 0 && this.live === undefined) this.check();
  }

  private check(): void {
    this.live = undefined;
    const ws = this.ws;
    if (!ws) return;
    if (this.pinged) {
      // No message since the $ping: the connection is dead even though no close event came.
      this.lost(ws, LIVENESS_TIMEOUT, "liveness timeout");
      return ws.close(LIVENESS_TIMEOUT, "liveness timeout");
    }
    const idle = Date.now() - this.lastIn;
    let wait = this.s.livenessInterval - idle;
    if (wait <= 0) {
      ws.send(this.ping);
      this.pinged = true;
      wait = this.s.livenessTimeout;
    }
    this.live = setTimeout(() => this.check(), wait);
  }
}

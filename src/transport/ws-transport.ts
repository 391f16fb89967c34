import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { CloseCodes } from "../close-reason.js";
import { SMALL_FRAME, smallFrame } from "./small-frame.js";
import { EMITS_TO_SINK, onClose, onError, onPong, SINK, TOO_BIG, type SinkSocket } from "./sink-events.js";
import type { Transport, TransportSink, WriteCallback } from "./transport.js";

/** What ws's `Sender.send` reads of its options (ws's own `send()` builds this object on every call). */
interface SenderOptions {
  readonly binary: boolean;
  readonly fin: boolean;
  readonly mask: boolean;
  readonly compress: boolean;
}
interface Sender {
  send(data: string | Buffer, options: SenderOptions, cb?: WriteCallback): void;
  /** 0 while nothing waits inside the sender (it queues behind compression and Blob reads). */
  _state?: number;
  /** False between the fragments of a message (the sender owes a continuation frame). */
  _firstFragment?: boolean;
}
/** ws's frame parser: emits each complete message, which ws's WebSocket re-emits as its own "message". */
interface Receiver {
  [SINK]?: TransportSink;
  listeners(event: "message"): Function[];
  removeListener(event: "message", listener: Function): unknown;
  on(event: "message", listener: (this: Receiver, data: Buffer, isBinary: boolean) => void): unknown;
}
type BoundSocket = SinkSocket & {
  [EMITS_TO_SINK]?: true;
  _receiver?: Receiver | null;
  _socket?: Duplex & { cork(): void; uncork(): void };
  _sender?: Sender;
  _isServer?: boolean;
  /** The negotiated extensions by name (ws's `extensions` getter joins their names into a new string). */
  _extensions?: Record<string, unknown>;
};

/**
 * The four option sets of a connection (text/binary, last fragment or not), built once per kind of
 * connection: `ws.send()` spreads its options into a new object on every call and then hands it to
 * its Sender; calling the Sender with a shared frozen set saves that per message.
 */
type OptionSets = readonly [text: SenderOptions, binary: SenderOptions, textPart: SenderOptions, binaryPart: SenderOptions];
const OPTION_SETS = new Map<number, OptionSets>();
function optionSets(mask: boolean, compress: boolean): OptionSets {
  const key = (mask ? 2 : 0) | (compress ? 1 : 0);
  let sets = OPTION_SETS.get(key);
  if (sets === undefined) {
    const o = (binary: boolean, fin: boolean): SenderOptions => Object.freeze({ binary, fin, mask, compress });
    // Not frozen: Node 20's optimizing compiler does not inline indexed loads from frozen arrays, and
    // this one is read on every send (measured: 200 instructions per 32 B echo). Internal, never mutated.
    sets = [o(false, true), o(true, true), o(false, false), o(true, false)] as const;
    OPTION_SETS.set(key, sets);
  }
  return sets;
}

// Hot-path listeners are module-level functions with `this` bound to the socket by EventEmitter.
function onMessage(this: BoundSocket | Receiver, data: Buffer, isBinary: boolean): void {
  this[SINK]!.onMessage(data, isBinary);
}
/** @hidden Whether this side closed `ws` with 1009 for a message over its `maxPayload`. */
export function closedTooBig(ws: WebSocket): boolean {
  return (ws as BoundSocket)[TOO_BIG] !== undefined;
}

/**
 * Write coalescing: a socket is corked on its first write of an event-loop turn and uncorked by one
 * shared `setImmediate`, so every frame a turn produces leaves in one syscall. Measured here: 5.4x
 * raw ws throughput on pipelined echo.
 */
const corked: WsTransport[] = [];
const DRAIN_POLL_MS = 5;
/** A frame at least this large (bytes, or UTF-16 units of a string) uncorks its socket at once. */
const UNCORK_AT = 64 * 1024;
const EMPTY = Buffer.alloc(0);
let uncorkScheduled = false;
function flushCorked(): void {
  uncorkScheduled = false;
  for (let i = 0; i < corked.length; i++) corked[i]!.uncork();
  corked.length = 0;
}

/** The production transport over a `ws` WebSocket. */
export class WsTransport implements Transport {
  private readonly ws: BoundSocket;
  private readonly coalesce: boolean;
  private corkedSocket: (Duplex & { uncork(): void }) | null = null;
  /** `bufferedAmount` when this turn's cork began (bytes that earlier turns left unsent). */
  private corkBacklog = 0;
  /** ws's Sender, when this ws version exposes the one we know; otherwise sends go through `ws.send`. */
  private readonly sender: Sender | null;
  private readonly options: OptionSets;
  /** Small messages may be written as one buffer (server side, no compression, a sender we know). */
  private readonly oneBuffer: boolean;
  readonly textChecked: boolean;

  /**
   * Create it once the handshake is complete (the negotiated extensions decide compression).
   * `textChecked`: false when ws was told to skip checking text messages (`skipUTF8Validation`).
   */
  constructor(ws: WebSocket, coalesce: boolean, textChecked: boolean) {
    const bound = ws as BoundSocket;
    this.ws = bound;
    this.coalesce = coalesce;
    this.textChecked = textChecked;
    const sender = bound._sender;
    this.sender = sender !== undefined && typeof sender.send === "function" && typeof bound._isServer === "boolean" ? sender : null;
    const ext = bound._extensions;
    const compress = ext !== undefined && ext !== null ? ext["permessage-deflate"] !== undefined : bound.extensions.includes("permessage-deflate");
    this.options = optionSets(!bound._isServer, compress);
    this.oneBuffer =
      this.sender !== null && bound._isServer === true && !this.options[0].compress && this.sender._state === 0 && this.sender._firstFragment === true;
  }

  get isOpen(): boolean {
    return this.ws.readyState === 1;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get backlog(): number {
    // Corked on a socket earlier turns left empty (the usual case): nothing written since counts.
    if (this.corkedSocket !== null && this.corkBacklog === 0) return 0;
    const now = this.ws.bufferedAmount;
    // Earlier writes may complete during the turn: what is buffered now bounds the backlog too.
    return this.corkedSocket !== null && this.corkBacklog < now ? this.corkBacklog : now;
  }

  get compressed(): boolean {
    // Decided by the handshake, and recorded in the option sets (no field per connection).
    return this.options[0].compress;
  }

  /** The raw socket, for pre-framed writes. */
  get rawSocket(): Duplex | undefined {
    return this.ws._socket;
  }

  bind(sink: TransportSink): void {
    this.ws[SINK] = sink;
    // Messages are taken from ws's receiver, in place of the listener through which ws re-emits each one
    // on the WebSocket: one event dispatch less per message (measured: ~150 instructions of a 32 B echo).
    // Nothing else listens to this WebSocket's messages; a ws whose receiver looks different is
    // listened to the documented way.
    const receiver = this.ws._receiver;
    const relay = receiver != null && typeof receiver.listeners === "function" ? receiver.listeners("message") : [];
    if (relay.length === 1 && this.ws.listenerCount("message") === 0) {
      receiver!.removeListener("message", relay[0]!);
      receiver![SINK] = sink;
      receiver!.on("message", onMessage);
    } else this.ws.on("message", onMessage);
    // ServerWebSocket hands these to the sink from its class (emitToSink): no listeners per connection.
    if (this.ws[EMITS_TO_SINK] === true) return;
    this.ws.on("pong", onPong);
    this.ws.on("close", onClose);
    this.ws.on("error", onError);
  }

  cork(): boolean {
    if (this.corkedSocket !== null) return true;
    if (!this.coalesce) return false;
    const socket = this.ws._socket;
    if (!socket || socket.destroyed) return false;
    this.corkBacklog = this.ws.bufferedAmount;
    socket.cork();
    this.corkedSocket = socket;
    corked.push(this);
    if (!uncorkScheduled) {
      uncorkScheduled = true;
      setImmediate(flushCorked);
    }
    return true;
  }

  whenFlushed(callback: WriteCallback): boolean {
    const socket = this.ws._socket;
    // Compressed messages may still wait inside ws's sender, behind which an empty write cannot queue.
    if (!socket || socket.destroyed || this.compressed) return false;
    // Uncorked with nothing buffered (a large frame uncorks at once and may already be gone): it has left.
    if (this.corkedSocket === null && socket.writableLength === 0) return false;
    // Writes complete in order: an empty one completes after every byte written before it.
    socket.write(EMPTY, (error?: Error | null) => callback(error ?? undefined));
    return true;
  }

  /** @internal Called by the shared flush at the end of the turn. */
  uncork(): void {
    const socket = this.corkedSocket;
    this.corkedSocket = null;
    if (socket !== null && !socket.destroyed) socket.uncork();
  }

  send(data: string | Buffer, binary: boolean, fin: boolean, done: WriteCallback | undefined): void {
    const sender = this.sender;
    const opts = this.options[(binary ? 1 : 0) + (fin ? 0 : 2)]!;
    // Not open: ws.send reports the failure through the callback, as it documents.
    if (sender === null || this.ws.readyState !== 1) {
      this.ws.send(data, opts, done);
      return;
    }
    // What ws's sender would write, in one chunk instead of two, when nothing inside it must go first.
    if (this.oneBuffer && fin && typeof data !== "string" && data.length <= SMALL_FRAME && sender._state === 0 && sender._firstFragment) {
      // The socket calls back with null on success; WriteCallback readers test `error == null` / `error ?`.
      this.ws._socket!.write(smallFrame(binary ? 2 : 1, data), done as ((error?: Error | null) => void) | undefined);
      return;
    }
    sender.send(data, opts, done);
    // A large frame leaves now, with what this turn corked before it. Held to the end of the turn it saves
    // no write worth having, and its buffer lives long enough to be promoted: V8 then frees it only in a
    // mark-compact (1 MiB echo, full run: 58 mark-compacts in 171 s against 29 without corking; raw ws 16).
    if (data.length >= UNCORK_AT && this.corkedSocket !== null) this.uncork();
  }

  sendFrames(frames: readonly Buffer[], done: WriteCallback | undefined): void {
    const socket = this.ws._socket;
    if (!socket || this.ws.readyState !== 1) {
      if (done) process.nextTick(done, new Error("WebSocket is not open"));
      return;
    }
    for (let i = 0; i < frames.length - 1; i++) socket.write(frames[i]!);
    socket.write(frames[frames.length - 1]!, done ? (err?: Error | null) => done(err ?? undefined) : undefined);
  }

  ping(data: Buffer, done: WriteCallback | undefined): void {
    this.ws.ping(data, undefined, done);
  }

  pong(data: Buffer, done: WriteCallback | undefined): void {
    this.ws.pong(data, undefined, done);
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  onDrain(callback: () => void): void {
    const socket = this.ws._socket;
    if (!socket || socket.destroyed) return;
    // 'drain' follows only a write that filled the socket buffer; bytes still inside ws (a message
    // waiting for permessage-deflate) have no event, so look again shortly.
    if (socket.writableNeedDrain) socket.once("drain", callback);
    else setTimeout(callback, DRAIN_POLL_MS).unref();
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }
}

import { isUtf8 } from "node:buffer";
import { QueueOverflowError, RequestFailedError, RequestTimeoutError, type SessionClosedError } from "../errors.js";
import { MAX_TIMER_MS } from "../util/check-options.js";
import { REPLY_TYPE, type MessageProtocol } from "./message-protocol.js";

/** One request waiting for its `$reply`. */
interface Pending {
  readonly type: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

// Cheap pre-filter: only a message containing this text is parsed to see whether it is a `$reply`.
const REPLY_MARK = Buffer.from(JSON.stringify(REPLY_TYPE));

/**
 * The server requests of one session waiting for the peer's `$reply` (`session.request`). Created by the
 * first request a session makes; the dispatcher looks for `$reply` only in sessions that have one, so
 * endpoints that never request pay nothing per message. Bounded by `maxPendingRequests` (each entry is an
 * id, two callbacks and a timer: about 300 bytes).
 */
export class PendingRequests {
  private readonly waiting = new Map<string, Pending>();

  /**
   * `last`: the number the first id follows. A recovered session's client may still answer a request of
   * the connection it lost, so a recoverable session starts past every message it was sent before
   * (its next offset): each earlier request was one of them, since an id is kept only by a request the
   * session accepted (and numbered). Other sessions start at 0: `s1`, `s2`, …
   */
  constructor(
    private readonly protocol: MessageProtocol,
    private last = 0,
  ) {}

  /** Requests waiting for their reply. */
  get size(): number {
    return this.waiting.size;
  }

  /** Whether request `id` waits for its reply. */
  has(id: string): boolean {
    return this.waiting.has(id);
  }

  /**
   * Registers a request and sends it with `write` (which returns why the session refused it). Resolves
   * with the reply's `data`; rejects with `RequestFailedError`, `RequestTimeoutError`, `QueueOverflowError`,
   * or what `write` or the encoding failed with.
   */
  start(type: string, payload: unknown, timeoutMs: number, write: (text: string) => Error | undefined): Promise<unknown> {
    const p = this.protocol;
    if (this.waiting.size >= p.maxPendingRequests) {
      return Promise.reject(
        new QueueOverflowError(
          `session.request(${JSON.stringify(type)}): ${p.maxPendingRequests} requests already wait for their reply (maxPendingRequests); await some first, or raise the endpoint's maxPendingRequests.`,
          undefined,
        ),
      );
    }
    const id = `s${++this.last}`;
    let text: string;
    try {
      text = p.encode(type, id, payload);
    } catch (error) {
      this.last--; // never sent: the id stays free (see the constructor)
      return Promise.reject(error);
    }
    return new Promise<unknown>((resolve, reject) => {
      // Unreferenced: a request waiting for a peer must not keep the process alive.
      const timer = setTimeout(() => this.timeout(id, timeoutMs), Math.min(timeoutMs, MAX_TIMER_MS)).unref();
      this.waiting.set(id, { type, resolve, reject, timer });
      const refused = write(text);
      if (refused !== undefined) {
        if (this.last === Number(id.slice(1))) this.last--;
        this.settle(id)?.reject(refused);
      }
    });
  }

  /**
   * Takes the message when it is a `$reply` (true: it was one, matched or not, and must not reach the
   * message router). A reply for no waiting request (late, after a timeout, or made up) is dropped.
   */
  take(data: Buffer): boolean {
    if (data.indexOf(REPLY_MARK) === -1 || !isUtf8(data)) return false;
    let envelope: unknown;
    try {
      envelope = JSON.parse(data.toString("utf8"));
    } catch {
      return false;
    }
    const p = this.protocol;
    if (envelope === null || typeof envelope !== "object" || (envelope as Record<string, unknown>)[p.typeField] !== REPLY_TYPE) return false;
    const reply = envelope as Record<string, unknown>;
    const id = p.idField === null ? undefined : reply[p.idField];
    const pending = typeof id === "string" ? this.settle(id) : undefined;
    if (pending === undefined) return true;
    if (reply.ok === true) pending.resolve(reply.data);
    else pending.reject(failure(pending.type, id as string, reply));
    return true;
  }

  /** The session closed: every waiting request rejects with `error`. */
  rejectAll(error: SessionClosedError): void {
    for (const id of [...this.waiting.keys()]) this.settle(id)!.reject(error);
  }

  private timeout(id: string, timeoutMs: number): void {
    const pending = this.settle(id);
    pending?.reject(new RequestTimeoutError(pending.type, id, timeoutMs));
  }

  private settle(id: string): Pending | undefined {
    const pending = this.waiting.get(id);
    if (pending === undefined) return undefined;
    this.waiting.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }
}

function failure(type: string, id: string, reply: Record<string, unknown>): RequestFailedError {
  const error = reply.error as Record<string, unknown> | null | undefined;
  if (reply.ok === false && error !== null && typeof error === "object" && typeof error.code === "string") {
    return new RequestFailedError(type, id, error.code.slice(0, 64), typeof error.message === "string" ? error.message.slice(0, 500) : "");
  }
  return new RequestFailedError(type, id, "INVALID_REPLY", 'the $reply has neither "ok": true nor "ok": false with an error { code, message }');
}

import type { Transport, WriteCallback } from "../transport/transport.js";
import { toSendError } from "./send-error.js";

/** Outcome of an asynchronous send. Never a rejection: failures are values. */
export type SendResult = { readonly ok: true } | { readonly ok: false; readonly error: Error };

/**
 * What `RemoteEndpoint.Async` send methods return: awaitable, resolves to a {@link SendResult}, never
 * rejects. It is lazy: a send nobody awaits allocates no promise and registers no write callback.
 * Awaited in the same turn as the send, it resolves when the data was flushed to the socket; awaited
 * later, it reports whether the data was handed to the socket.
 */
export interface AsyncSendHandle extends PromiseLike<SendResult> {}

const OK: SendResult = Object.freeze({ ok: true });

/** @hidden Lazy implementation of {@link AsyncSendHandle}. */
export class PendingSend implements AsyncSendHandle {
  private result: SendResult | undefined;
  private observed = false;
  private promise: Promise<SendResult> | undefined;
  private resolve: ((r: SendResult) => void) | undefined;
  private handedOver = false;
  /** Where the unobserved data went: asked, when the handle is awaited, whether it has left yet. */
  private via: Transport | undefined;

  /** An already settled handle (refused at submit time). */
  static failed(error: Error): PendingSend {
    const p = new PendingSend();
    p.result = Object.freeze({ ok: false, error });
    return p;
  }

  // eslint-disable-next-line unicorn/no-thenable -- being awaitable is the point
  then<A = SendResult, B = never>(
    onfulfilled?: ((value: SendResult) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    this.observed = true;
    if (this.promise === undefined) {
      if (this.result !== undefined) this.promise = Promise.resolve(this.result);
      else {
        this.promise = new Promise<SendResult>((r) => (this.resolve = r));
        if (this.handedOver) {
          const via = this.via;
          this.via = undefined;
          // Still in this turn's coalesced write: resolve when it has left, as if awaited before the hand-over.
          if (via === undefined || !via.whenFlushed(this.written(via))) this.settle(OK);
        }
      }
    }
    return this.promise.then(onfulfilled, onrejected);
  }

  /** Called by the outbound queue when the data is handed to `transport`. */
  writeCallback(transport: Transport): WriteCallback | undefined {
    if (!this.observed) {
      this.handedOver = true;
      this.via = transport;
      return undefined;
    }
    return this.written(transport);
  }

  /** The write's completion; a failure is classified by the state of `transport` when it is reported. */
  private written(transport: Transport): WriteCallback {
    return (error?: Error) => this.settle(error == null ? OK : { ok: false, error: toSendError(error, transport) });
  }

  fail(error: Error): void {
    this.settle({ ok: false, error });
  }

  settle(result: SendResult): void {
    if (this.result !== undefined) return;
    this.result = Object.freeze(result);
    this.resolve?.(this.result);
  }
}
